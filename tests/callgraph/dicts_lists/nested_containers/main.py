def alpha():
    pass


def beta():
    pass


config = {"hooks": [alpha, beta]}
for hook in config["hooks"]:
    hook()
