def build(x: "Node"):
    x.visit()


class Node:
    def visit(self):
        pass
