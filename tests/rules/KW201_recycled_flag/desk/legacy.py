from desk import wire

OLD_MODE = "mode-7"


def peg(qty):
    for _ in range(3):
        wire.send(qty)
