from __future__ import annotations

from app import risk
from app.exchange import Exchange
from app.retry import shielded


class Desk:
    """Sizes orders from quotes, checks them, and sends them through the exchange."""

    def __init__(self, exchange: Exchange, budget: float) -> None:
        self.exchange = exchange
        self.budget = budget

    def sized(self, symbol: str) -> float:
        # the quote goes through the same retry wrapper as `place`: calling it sends nothing
        price = self.exchange.quote(symbol)
        qty = shielded(self.cap, fallback=0.0)(self.budget) / price
        if not risk.check(qty):
            raise ValueError(f"{qty} {symbol} over the limit")
        return qty

    def cap(self, qty: float) -> float:
        return min(qty, self.exchange.balance())

    def buy(self, symbol: str) -> str:
        qty = self.sized(symbol)
        return self.exchange.place(symbol, qty)

    def report(self) -> float:
        return self.exchange.balance() + self.exchange.quote("EUR")

    def rush(self, symbol: str) -> str:
        return self.exchange.place(symbol, self.budget)  # expect: KW301 critical

    def deferred(self, symbol: str) -> str:
        sender = self.exchange.place  # taken as a value: a wrapper reached from here may send
        return sender(symbol, self.budget)  # expect: KW301 critical

    def resize(self, order: str) -> str:
        return self.exchange.amend(order, self.budget)

    def hedge(self, symbol: str, qty: float) -> str:
        if not risk.check(qty):
            return ""
        return self.exchange.place(symbol, qty)


def run(budget: float) -> list:
    desk = Desk(Exchange(), budget)
    sent = [desk.report(), desk.rush("EUR"), desk.deferred("EUR"), desk.resize("o1"),
            desk.exchange.sweep("EUR")]
    if budget > 0:  # (so that `run` is no helper that always checks)
        sent += [desk.buy("EUR"), desk.hedge("EUR", 1.0)]
    return sent
