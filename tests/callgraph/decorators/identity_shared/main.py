def register(func):
    func.registered = True
    return func


@register
def buy():
    pass


@register
def sell():
    pass


@register
def cancel():
    pass


buy()
