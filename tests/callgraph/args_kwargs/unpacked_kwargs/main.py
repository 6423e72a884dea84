def configure(callback=None, fallback=None):
    callback()


def primary():
    pass


def secondary():
    pass


settings = {"callback": primary, "fallback": secondary}
configure(**settings)
