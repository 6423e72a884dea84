from __future__ import annotations

from app.retry import retried, threaded


class Exchange:
    """A venue client: every request is retried, and `place` sends an order."""

    def __init__(self) -> None:
        self.book: dict[str, float] = {"EUR": 1.0}

    @retried
    def quote(self, symbol: str) -> float:
        return self.book.get(symbol, 0.0)

    @retried(attempts=5)
    def balance(self) -> float:
        return sum(self.book.values())

    @retried
    def place(self, symbol: str, qty: float) -> str:
        return f"{symbol}:{qty}"

    @threaded
    def amend(self, order: str, qty: float) -> str:
        return f"{order}:{qty}"

    def sweep(self, symbol: str) -> str:
        return self.place(symbol, self.balance())  # expect: KW301 critical
