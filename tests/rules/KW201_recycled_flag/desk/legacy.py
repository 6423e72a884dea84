from desk import wire
from desk.flags import midpoint

OLD_MODE = "mode-7"
CLIP = "improve"  # the clip re-pegger's key, now price improvement
PEG_BIT = "rlp"  # the retired peg bit, re-used for the retail program


def peg(qty):
    for _ in range(3):
        wire.send(qty)


def reprice(flags, qty):
    if flags.on(PEG_BIT):  # expect: KW201 critical
        wire.send(qty)


def clip(flags, qty):
    if flags.on(CLIP):  # expect: KW201 critical
        wire.send(midpoint(qty))
