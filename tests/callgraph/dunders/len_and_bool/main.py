class Stack:
    def __init__(self):
        self.items = [1]

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)


s = Stack()
size = len(s)
if s:
    pass
