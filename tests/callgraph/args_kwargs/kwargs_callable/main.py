def run(**options):
    options["on_done"]()


def finished():
    pass


run(on_done=finished)
