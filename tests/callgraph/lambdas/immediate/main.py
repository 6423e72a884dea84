def helper():
    pass


(lambda: helper())()
