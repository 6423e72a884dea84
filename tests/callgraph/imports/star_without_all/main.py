def _private():
    pass


from helpers import *  # noqa: E402,F403 - underscore names are not star-imported

visible()
_private()
