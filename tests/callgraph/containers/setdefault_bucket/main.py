def on_trade():
    pass


subs = {}
subs.setdefault("trade", []).append(on_trade)
for cb in subs["trade"]:
    cb()
