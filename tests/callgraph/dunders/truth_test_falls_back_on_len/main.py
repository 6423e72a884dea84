class Orders:
    def __init__(self):
        self.pending = []

    def __len__(self):
        return len(self.pending)


orders = Orders()
if not orders:
    print("nothing pending")
