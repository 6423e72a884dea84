import argparse


def backtest(ns):
    pass


parser = argparse.ArgumentParser()
parser.set_defaults(handler=backtest)
ns, rest = parser.parse_known_args([])
ns.handler(ns)
