def fallback():
    pass


def run(action=fallback):
    action()


run()
