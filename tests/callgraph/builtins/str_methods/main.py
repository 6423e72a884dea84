SEPARATOR = ", "


def render(words):
    return SEPARATOR.join(words)


def shout(text):
    return text.upper()


label = "name=value".partition("=")
shout("quiet")
render(["a", "b"])
