def risky():
    raise ValueError("bad")


def recover():
    pass


def cleanup():
    pass


try:
    risky()
except ValueError:
    recover()
finally:
    cleanup()
