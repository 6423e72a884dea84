def on_bid():
    pass


def on_ask():
    pass


names = ["bid", "ask"]
handlers = [on_bid, on_ask]
for name, handler in zip(names, handlers):
    handler()
