"""Formats loaded by name, and orders ranked through a key function."""
import importlib


class Order:
    def __init__(self, qty):
        self.qty = qty

    def rank(self, bias):
        return self.qty + bias

    def refund(self):  # expect: KW102 low
        return -self.qty


def biggest(orders):
    return max(orders, key=lambda o, b=1: o.rank(b))


def render(fmt, total):
    module = importlib.import_module(f"shop.formats.{fmt}")
    return module.render(total)
