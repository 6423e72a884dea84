def by_length(word):
    return len(word)


words = sorted(["ccc", "a", "bb"], key=by_length)
