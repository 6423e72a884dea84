class A:
    def ping(self):
        pass


class B(A):
    pass


class C(B):
    def pong(self):
        self.ping()


C().pong()
