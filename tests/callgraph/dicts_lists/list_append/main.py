def notify():
    pass


callbacks = []
callbacks.append(notify)
callbacks[0]()
