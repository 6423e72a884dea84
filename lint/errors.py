"""Errors that end a run with a one-line message and exit status 2."""


class KnightwatchError(Exception):
    """Bad usage, configuration or input: shown as one line, exit status 2."""
