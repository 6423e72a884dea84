class Greeter:
    def greet(self):
        pass


def pick(obj):
    return obj.greet


pick(Greeter())()
