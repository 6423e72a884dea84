def start():
    pass


def stop():
    pass


actions = {"start": start, "stop": stop}
actions["start"]()
