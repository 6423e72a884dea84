import marketdata.feed as feed


def subscribe(symbol):
    return feed.subscribe(symbol)


subscribe("KCG")
