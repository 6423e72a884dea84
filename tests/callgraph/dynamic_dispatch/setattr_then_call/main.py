class Button:
    pass


def clicked():
    pass


b = Button()
setattr(b, "on_click", clicked)
b.on_click()
