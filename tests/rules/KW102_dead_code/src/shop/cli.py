import sys

from shop import handlers, plugins, pricing, report, values
from shop.handlers import HANDLERS


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else "on_order"
    HANDLERS[kind]({"qty": 2})
    handlers.Visitor().visit(3)
    plugins.load()
    print(values.Fill(1), values.Side("buy"), values.Breach(), values.quoted(2), values.Session().handlers)
    report.render(sys.argv[2], report.biggest([report.Order(1), report.Order(2)]).qty)
    return pricing.price(2, pricing.Tariff().rate()) + pricing.discount(3)
