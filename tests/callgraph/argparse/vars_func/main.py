import argparse


def trade(args):
    pass


parser = argparse.ArgumentParser()
parser.set_defaults(func=trade)
args = vars(parser.parse_args([]))
args["func"](args)
