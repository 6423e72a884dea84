class Link:
    def submit(self):
        pass


class Hub:
    def __init__(self):
        self._link = Link()

    @property
    def main_link(self):
        return self._link


class Worker:
    def __init__(self, link):
        self.link = link

    def go(self):
        self.link.submit()


hub = Hub()
Worker(hub.main_link).go()
