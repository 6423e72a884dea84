class Plain:
    def method(self):
        pass


Plain().method()
