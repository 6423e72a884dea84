def register(f):
    return f


@register
def func():
    pass


func()
