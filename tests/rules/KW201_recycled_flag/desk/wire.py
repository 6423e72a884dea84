SENT = []


def check(qty):
    return qty < 1000


def send(qty):
    SENT.append(qty)
