def total(values):
    return sum(values) + len(values)


print(total([1, 2, 3]))
