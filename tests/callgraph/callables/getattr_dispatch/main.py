class Handler:
    def on_buy(self):
        pass

    def on_sell(self):
        pass


h = Handler()
getattr(h, "on_buy")()
