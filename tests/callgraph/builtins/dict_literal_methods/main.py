def fallback():
    return 0


handlers = {"zero": fallback}


def lookup(name):
    return handlers.get(name, fallback)()


for key, handler in handlers.items():
    handler()
lookup("zero")
