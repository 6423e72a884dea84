def len(items):
    return 0


len([1, 2])
