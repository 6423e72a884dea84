class Link:
    def submit(self):
        pass


class FastLink(Link):
    def submit(self):
        pass


class Engine:
    def __init__(self, link):
        self.link = link

    def run(self):
        self.link.submit()


Engine(FastLink()).run()
