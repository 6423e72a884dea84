class Temperature:
    def __init__(self):
        self._c = 0

    @property
    def celsius(self):
        return self._c

    @celsius.setter
    def celsius(self, value):
        self._c = check(value)


def check(value):
    return value


t = Temperature()
t.celsius = 21
