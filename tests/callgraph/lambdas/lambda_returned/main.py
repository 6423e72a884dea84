def make_adder(n):
    return lambda x: x + n


add_two = make_adder(2)
add_two(1)
