def repeat(times):
    def decorate(f):
        def wrapper():
            for _ in range(times):
                f()

        return wrapper

    return decorate


@repeat(2)
def beep():
    pass


beep()
