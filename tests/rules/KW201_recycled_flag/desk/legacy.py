from desk import wire

OLD_MODE = "mode-7"
PEG_BIT = "rlp"  # the retired peg bit, re-used for the retail program


def peg(qty):
    for _ in range(3):
        wire.send(qty)


def reprice(flags, qty):
    if flags.on(PEG_BIT):  # expect: KW201 critical
        wire.send(qty)
