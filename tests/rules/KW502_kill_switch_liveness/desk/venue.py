SENT = []


def submit(order):
    SENT.append(order)


def cancel(order):
    SENT.remove(order)
