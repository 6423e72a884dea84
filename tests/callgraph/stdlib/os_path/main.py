import os.path


def build(name):
    return os.path.join("data", name)


build("x.csv")
