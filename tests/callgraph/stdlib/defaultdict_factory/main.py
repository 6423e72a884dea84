from collections import defaultdict


def empty():
    return []


groups = defaultdict(empty)
groups["a"].append(1)
