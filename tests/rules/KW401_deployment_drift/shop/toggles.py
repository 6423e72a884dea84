def enabled(key, argv):
    return "--" + key in argv
