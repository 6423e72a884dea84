def load():
    pass


def transform():
    pass


def save():
    pass


pipeline = [load, transform, save]
for step in pipeline:
    step()
