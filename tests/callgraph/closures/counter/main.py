def log(n):
    pass


def counter():
    count = 0

    def increment():
        nonlocal count
        count += 1
        log(count)
        return count

    return increment


tick = counter()
tick()
tick()
