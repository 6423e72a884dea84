class Config:
    def load(self):
        pass


def missing():
    pass


getattr(Config(), "reload", missing)()
