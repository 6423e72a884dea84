def render(total):
    return f"total,{total}"
