def cmd_start():
    pass


def cmd_stop():
    pass


COMMANDS = {"start": cmd_start, "stop": cmd_stop}


def dispatch(name):
    return COMMANDS[name]()


dispatch("start")
dispatch("stop")
