def start():
    pass


def stop():
    pass


actions = {"go": start}
actions["go"] = stop
actions["go"]()
