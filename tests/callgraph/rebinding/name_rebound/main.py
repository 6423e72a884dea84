def start():
    pass


def stop():
    pass


action = start
action = stop
action()
