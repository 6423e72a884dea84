class A:
    def step(self):
        pass


class B(A):
    def step(self):
        super().step()


class C(B):
    def step(self):
        super().step()


C().step()
