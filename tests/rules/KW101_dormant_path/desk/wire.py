SENT = []


def check(qty):
    return qty < 1000


def send(qty):
    SENT.append(qty)


def block_sweep(qty):  # imported by name: the dormant branch calling it is the one finding
    return qty
