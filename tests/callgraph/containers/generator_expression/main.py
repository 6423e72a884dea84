class Task:
    def __init__(self):
        pass

    def run(self):
        pass


tasks = (Task() for _ in range(2))
for t in tasks:
    t.run()
