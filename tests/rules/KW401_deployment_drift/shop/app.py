import sys

from shop.toggles import enabled


class Basket:
    def __init__(self, items):
        self.items = items

    @property
    def total(self):  # read only in the new checkout: part of that branch's drift, not one of its own
        return sum(self.items)


def fast(total):
    return total


def slow(basket):
    total = 0
    for item in basket:
        total += item
    return total


def plain_receipt(total):
    return str(total)


def rich_receipt(total):  # runs only under new-checkout (through a helper): part of that branch's drift
    return f"<b>{total}</b>"


RECEIPTS = {"plain": plain_receipt, "rich": rich_receipt}


def _new_receipt(total):
    return rich_receipt(total)


def receipt(argv, total):  # may call either, by a name from the command line
    return RECEIPTS["rich" if "--rich" in argv else "plain"](total)


def checkout(argv, basket):
    if enabled("new-checkout", argv):
        _new_receipt(0)  # expect: KW401 medium
        return fast(Basket(basket).total)
    return slow(basket)


def search(argv, words):
    if enabled("canary-search", argv):
        return sorted(words)
    return words


def refund(argv, amount):
    if enabled("refund-v2", argv):
        return amount - 1
    return amount


def reject(amount):  # called for large orders only: traffic, not drift
    return -amount


def mid_price(quote):
    return quote


def last_price(quote):  # expect: KW401 medium
    return quote + 1


PRICERS = {"mid": mid_price, "last": last_price}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    checkout(argv, [1, 2, 3])
    receipt(argv, 6)
    search(argv, ["b", "a"])
    if "--refunds" in argv:  # only the hosts that get refund traffic
        refund(argv, 5)
    if "--large" in argv:  # only one host sees a large order
        reject(5)
    PRICERS["last" if "--last" in argv else "mid"](10)  # each host's configuration picks its pricer


if __name__ == "__main__":
    main()
