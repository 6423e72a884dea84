def countdown(n):
    if n > 0:
        countdown(n - 1)


def ping(n):
    if n > 0:
        pong(n - 1)


def pong(n):
    if n > 0:
        ping(n - 1)


countdown(3)
ping(4)
