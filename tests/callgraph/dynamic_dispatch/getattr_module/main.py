import plugins

getattr(plugins, "run")()
