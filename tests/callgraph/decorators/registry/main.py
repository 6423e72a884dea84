HANDLERS = {}


def route(name):
    def register(f):
        HANDLERS[name] = f
        return f

    return register


@route("start")
def start():
    pass


@route("stop")
def stop():
    pass


HANDLERS["start"]()
