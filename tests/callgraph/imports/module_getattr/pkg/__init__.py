def _load(name):
    return legacy_handler


def legacy_handler():
    pass


def __getattr__(name):
    return _load(name)
