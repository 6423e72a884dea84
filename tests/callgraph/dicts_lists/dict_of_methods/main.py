class Machine:
    def __init__(self):
        self.transitions = {"go": self.go, "halt": self.halt}

    def go(self):
        pass

    def halt(self):
        pass

    def fire(self, event):
        self.transitions[event]()


m = Machine()
m.fire("go")
m.fire("halt")
