from . import config


def start():
    config.load()
