def start():
    pass


def stop():
    pass


def run():
    handler = start
    handler()
    handler = stop
    handler()


run()
