from typing import Optional


class Risk:
    def check(self):
        pass


def trade(risk: Optional[Risk] = None):
    if risk is not None:
        risk.check()
