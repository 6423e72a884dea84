class Robot:
    def walk(self):
        pass

    def talk(self):
        pass


r = Robot()
getattr(r, "walk")()
