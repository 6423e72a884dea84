def run():
    return "eod"
