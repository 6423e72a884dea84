def start():
    pass


def stop():
    pass


def pause():
    pass


actions = {"go": start, "halt": pause}
actions.update(go=stop)
actions["go"]()
actions["halt"]()
