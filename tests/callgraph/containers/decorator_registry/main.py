ALGOS = {}

def algo(name):
    def deco(cls):
        ALGOS[name] = cls
        return cls
    return deco

@algo("peg")
class Peg:
    def __call__(self):
        return 1

@algo("twap")
class Twap:
    def __call__(self):
        return 2

def route():  # the class registered under "peg" only
    return ALGOS["peg"]()()
route()
