class Parser:
    def parse(self, text):
        return self.tokenize(text)

    def tokenize(self, text):
        return self.clean(text).split()

    def clean(self, text):
        return text.strip()


Parser().parse(" a b ")
