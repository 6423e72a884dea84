def target():
    pass


def level_two():
    return target


def level_one():
    return level_two()


level_one()()
