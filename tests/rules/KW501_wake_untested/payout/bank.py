LEDGER = []


def transfer(amount):
    LEDGER.append(amount)
