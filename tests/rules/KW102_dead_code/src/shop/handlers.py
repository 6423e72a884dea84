"""Handlers found by name at run time: a registry dict and a visitor class."""

HANDLERS = {}


def register(fn):
    HANDLERS[fn.__name__] = fn
    return fn


@register
def on_order(event):
    return event["qty"]


@register
def on_cancel(event):
    return -event["qty"]


def on_amend(event):  # expect: KW102 low
    return 0


class Visitor:
    def visit(self, node):
        return getattr(self, "visit_" + type(node).__name__)(node)

    def visit_int(self, node):
        return node + 1

    def visit_str(self, node):
        return node.upper()
