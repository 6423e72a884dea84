def unreachable():  # knightwatch: ignore[KW102] -- plugin hook, kept on purpose
    return 1


def tick_size(price):  # knightwatch: ignore[KW102] -- now called by quote()  # expect: KW002 low
    return round(price, 2)


def quote(price):  # knightwatch: ignore[KW301]  (KW301 did not run: not judged)
    return tick_size(price)


def spread(bid, ask):  # knightwatch: ignore[KW102, KW002] -- a deliberate stale ignore
    return ask - bid


def main():
    return quote(1.234), spread(1, 2)
