def render(name):
    module = __import__("pkg.reports." + name, fromlist=["run"])
    return module.run()


render("csv")
