from dataclasses import dataclass


def on_fill():
    pass


def on_cancel():
    pass


@dataclass
class Hooks:
    fill: object
    cancel: object


h = Hooks(on_fill, on_cancel)
h.fill()
