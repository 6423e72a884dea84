def greet():
    pass


globals()["greet"]()
