def handle_status(msg):
    return "ok"


def handle_unknown(msg):
    return "?"


def dispatch(kind, msg):
    handler = globals().get("handle_" + kind, handle_unknown)
    return handler(msg)


def helper():
    return 0


dispatch("status", {})
