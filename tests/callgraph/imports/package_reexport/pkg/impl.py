def api():
    pass
