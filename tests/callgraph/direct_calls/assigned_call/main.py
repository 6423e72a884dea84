def func():
    pass


alias = func
other = alias
other()
