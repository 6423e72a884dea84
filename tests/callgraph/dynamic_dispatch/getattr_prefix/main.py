class Handler:
    def do_get(self):
        pass

    def do_post(self):
        pass

    def handle(self, verb):
        method = getattr(self, "do_" + verb)
        return method()


h = Handler()
h.handle("get")
h.handle("post")
