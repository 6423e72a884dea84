class Mixin:
    def __init__(self):
        pass


class Logged(Mixin):
    def __init__(self):
        super().__init__()


class Never(Mixin):
    def __init__(self):
        pass


Mixin()
Logged()
