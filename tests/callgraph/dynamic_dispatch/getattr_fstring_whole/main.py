class Handler:
    def on_fill(self):
        return "filled"

    def on_cancel(self):
        return "cancelled"

    def close(self):
        return None


def dispatch(handler, event):
    return getattr(handler, f"{event}")()


dispatch(Handler(), "on_fill")
