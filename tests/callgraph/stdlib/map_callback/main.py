def shout(word):
    return word.upper()


loud = list(map(shout, ["a", "b"]))
