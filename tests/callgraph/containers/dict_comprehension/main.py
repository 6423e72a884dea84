class Feed:
    def __init__(self):
        pass

    def start(self):
        pass


feeds = {name: Feed() for name in ("a", "b")}
for f in feeds.values():
    f.start()
