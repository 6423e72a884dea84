from typing import Optional


class Cache:
    def clear(self):
        pass


class Service:
    _cache: Optional[Cache] = None

    def __init__(self):
        self._cache = Cache()

    def reset(self):
        if self._cache:
            self._cache.clear()


Service().reset()
