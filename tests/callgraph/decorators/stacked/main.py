def bold(f):
    def wrap_bold():
        return "<b>" + f() + "</b>"

    return wrap_bold


def italic(f):
    def wrap_italic():
        return "<i>" + f() + "</i>"

    return wrap_italic


@bold
@italic
def text():
    return "hi"


text()
