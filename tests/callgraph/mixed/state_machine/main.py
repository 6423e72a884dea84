"""A traffic light: calling it advances the state and runs the state's hook by name."""


class Light:
    TRANSITIONS = {"green": "yellow", "yellow": "red", "red": "green"}

    def __init__(self):
        self.state = "green"

    def __call__(self):
        self.state = self.TRANSITIONS[self.state]
        getattr(self, "on_" + self.state)()

    def __iter__(self):
        for _ in range(3):
            self()
            yield self.state

    def on_green(self):
        pass

    def on_yellow(self):
        pass

    def on_red(self):
        pass


states = list(Light())
