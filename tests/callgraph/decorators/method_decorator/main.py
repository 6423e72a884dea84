def checked(method):
    def wrapper(self, value):
        validate(value)
        return method(self, value)

    return wrapper


def validate(value):
    pass


class Account:
    @checked
    def deposit(self, value):
        pass


Account().deposit(5)
