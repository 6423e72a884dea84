def check(amount):
    return amount < 10_000
