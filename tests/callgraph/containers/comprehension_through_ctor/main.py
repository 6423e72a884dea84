class Link:
    def submit(self):
        pass


class Engine:
    def __init__(self, links):
        self.links = links

    def run(self):
        for link in self.links:
            link.submit()


Engine([Link() for _ in range(2)]).run()
