class Check:
    def __call__(self):
        pass


checks = [Check(), Check()]
for c in checks:
    c()
