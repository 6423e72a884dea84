class Timeout(Exception):
    def __init__(self):
        log_timeout()


def log_timeout():
    pass


def wait():
    raise Timeout


try:
    wait()
except Timeout:
    pass
