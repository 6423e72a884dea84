def pick():
    pass


fn = next(iter([pick]))
fn()
