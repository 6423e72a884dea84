_PLUGINS = {}


def register(name):
    def wrap(func):
        _PLUGINS[name] = func
        return func

    return wrap


def get(name):
    return _PLUGINS[name]
