def handler():
    pass


table = {}
table["h"] = handler
table["h"]()
