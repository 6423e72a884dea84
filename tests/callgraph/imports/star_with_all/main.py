def hidden():
    pass


from helpers import *  # noqa: E402,F403 - __all__ keeps main.hidden in place

public()
hidden()
