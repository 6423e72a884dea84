import sys


class Strategy:
    def buy_signal(self):
        return 1

    def sell_signal(self):
        return 2

    def reset(self):
        return 0


def signal(strategy, side):
    return getattr(strategy, f"{side}_signal")()


signal(Strategy(), sys.argv[1])
