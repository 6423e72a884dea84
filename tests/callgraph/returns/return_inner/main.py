def make():
    def inner():
        pass

    return inner


handler = make()
handler()
