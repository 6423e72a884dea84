class Logger:
    def __init__(self, name):
        self.name = name

    def info(self, msg):
        pass


def make_logger():
    return Logger("app")


def work(log):
    log.info("working")


work(make_logger())
