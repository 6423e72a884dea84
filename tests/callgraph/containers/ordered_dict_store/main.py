import collections


class Link:
    def unlink(self):
        pass


class Cache:
    def __init__(self):
        self.links = collections.OrderedDict()
        self.seen = dict()

    def add(self, key):
        links = self.links
        links[key] = Link()

    def drop(self, key):
        link = self.links.pop(key)
        link.unlink()


cache = Cache()
cache.add("a")
cache.drop("a")
