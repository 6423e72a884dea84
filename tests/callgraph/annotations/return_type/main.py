class Client:
    def get(self):
        pass


def make() -> Client:
    ...


def use():
    make().get()
