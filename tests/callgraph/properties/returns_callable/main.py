class Service:
    @property
    def handler(self):
        return self.process

    def process(self):
        pass

    def run(self):
        self.handler()


Service().run()
