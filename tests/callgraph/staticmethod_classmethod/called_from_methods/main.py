class Formatter:
    @staticmethod
    def clean(text):
        return text.strip()

    @classmethod
    def build(cls, text):
        return cls.clean(text)

    def format(self, text):
        return self.clean(text) + Formatter.build(text)


Formatter().format(" x ")
