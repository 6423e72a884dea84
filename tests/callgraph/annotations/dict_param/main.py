from typing import Dict


class Feed:
    def start(self):
        pass


def start(feeds: Dict[str, Feed]):
    for f in feeds.values():
        f.start()
    feeds["x"].start()
