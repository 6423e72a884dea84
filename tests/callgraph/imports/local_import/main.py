def lazy():
    import heavy

    heavy.compute()


lazy()
