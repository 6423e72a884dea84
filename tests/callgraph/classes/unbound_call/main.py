class Tool:
    def use(self):
        pass


t = Tool()
Tool.use(t)
