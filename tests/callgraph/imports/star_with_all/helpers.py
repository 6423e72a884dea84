__all__ = ["public"]


def public():
    pass


def hidden():
    pass
