class Engine:
    def halt(self):
        pass
