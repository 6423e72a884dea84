import argparse
import sys


def start(args):
    pass


def stop(args):
    pass


parser = argparse.ArgumentParser()
sub = parser.add_subparsers()
sub.add_parser("start").set_defaults(func=start)
sub.add_parser("stop").set_defaults(func=stop)
args = parser.parse_args(sys.argv[1:] or ["start"])
args.func(args)
