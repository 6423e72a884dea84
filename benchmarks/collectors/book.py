"""A pure-Python workload for the collectors benchmark: a limit order book matching a seeded day."""

from __future__ import annotations

import random
import sys


class Book:
    def __init__(self) -> None:
        self.bids: dict[int, list[list[int]]] = {}
        self.asks: dict[int, list[list[int]]] = {}
        self.fills = 0

    def add(self, side: str, price: int, qty: int) -> None:
        book, other = (self.bids, self.asks) if side == "B" else (self.asks, self.bids)
        while qty and other:
            best = max(other) if side == "S" else min(other)
            if (side == "B" and best > price) or (side == "S" and best < price):
                break
            level = other[best]
            while qty and level:
                take = min(qty, level[0][0])
                qty -= take
                level[0][0] -= take
                self.fills += 1
                if not level[0][0]:
                    level.pop(0)
            if not level:
                del other[best]
        if qty:
            book.setdefault(price, []).append([qty])


def day(orders: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    book = Book()
    for _ in range(orders):
        side = "B" if rng.random() < 0.5 else "S"
        book.add(side, 1000 + rng.randint(-20, 20), rng.randint(1, 500))
    return book.fills


if __name__ == "__main__":
    print(day(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
