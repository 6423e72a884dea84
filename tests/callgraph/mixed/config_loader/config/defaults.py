DEFAULTS = {"log_dir": "logs"}
