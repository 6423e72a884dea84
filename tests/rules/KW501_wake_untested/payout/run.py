from payout import bank, risk
from payout.flags import is_on


def pay(amount):
    if is_on("fast-lane"):
        bank.transfer(amount)  # expect: KW501 critical
        return
    if is_on("sweep"):
        if risk.check(amount):  # expect: KW501 high
            bank.transfer(amount)
    if is_on("ledger-v2"):
        amount = round(amount, 2)
    if is_on("audit-trail"):
        print("paid", amount)
    if risk.check(amount):
        bank.transfer(amount)


def main():
    for amount in (5, 50):
        pay(amount)


if __name__ == "__main__":
    main()
