import atexit


class Cache:
    def put(self, key):
        self.evict()

    def evict(self):
        pass


class LRUCache(Cache):
    def evict(self):
        pass


class Unused(Cache):
    def evict(self):
        pass


Cache().put(1)
atexit.register(LRUCache().put, 2)
