def start():
    pass


def stop():
    pass


def pause():
    pass


routes = {"orders": {"new": start, "cancel": pause}}
routes["orders"]["new"] = stop
routes["orders"]["new"]()
routes["orders"]["cancel"]()
