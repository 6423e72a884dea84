def on_add():
    pass


def on_remove():
    pass


handlers = {"add": on_add, "remove": on_remove}
for name, fn in handlers.items():
    fn()
handlers.get("add")()
