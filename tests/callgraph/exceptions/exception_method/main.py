class RetryError(Exception):
    def describe(self):
        return "retry"


def attempt():
    raise RetryError()


try:
    attempt()
except RetryError as err:
    err.describe()
