def send():
    pass


REGISTRY = {"x": send}
jobs = [REGISTRY["x"] for _ in range(2)]
jobs[0]()
