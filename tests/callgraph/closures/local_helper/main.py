def make():
    def helper():
        pass

    def run():
        helper()

    return run


make()()
