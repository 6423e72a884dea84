def flat():
    pass


def hedge():
    pass


actions = {"flat": flat, "hedge": hedge}
for name, action in actions.items():
    action()
