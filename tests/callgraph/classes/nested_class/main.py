class Outer:
    class Inner:
        def ping(self):
            pass

    def make(self):
        return self.Inner()


Outer().make().ping()
