def start():
    pass


def stop():
    pass


action = start
for step in (1, 2):
    action()
    action = stop
