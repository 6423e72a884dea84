def old():  # knightwatch: ignore  # expect: KW001 medium
    return 1


def older():  # knightwatch: ignore[]  # expect: KW001 medium
    return 2


def typo():  # knightwatch: ignore[KW120]  # expect: KW001 medium
    return 3


def mixed():  # knightwatch: ignore[KW102, KW999]  # expect: KW001 medium
    return 4


def named():  # knightwatch: ignore[KW102] -- kept for the plugin API
    return 5


def several():  # knightwatch: ignore[KW102,KW301]
    return 6


def main():
    # prose about knightwatch: ignore comments is not one
    return 0
