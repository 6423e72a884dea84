import contextlib


class Engine:
    def flatten(self):
        pass

    def keep(self):
        pass

    def run(self):
        with contextlib.ExitStack() as stack:
            stack.callback(self.flatten)
            kept = [self.keep]
        return kept


Engine().run()
