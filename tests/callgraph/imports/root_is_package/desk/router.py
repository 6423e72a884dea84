from .venue import send


def route():
    send()
