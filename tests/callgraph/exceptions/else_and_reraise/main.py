def parse(text):
    return int(text)


def on_error():
    pass


def on_success():
    pass


def handle(text):
    try:
        parse(text)
    except ValueError:
        on_error()
        raise
    else:
        on_success()


handle("1")
try:
    handle("x")
except ValueError:
    pass
