def _line(total):
    return f"total {total}"


def _banner():  # expect: KW102 low
    return "shop"


def render(total):
    return _line(total)
