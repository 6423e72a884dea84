class Gateway:
    def send(self):
        pass


class Desk:
    def __init__(self, gw):
        self.gw: Gateway = gw

    def go(self):
        self.gw.send()
