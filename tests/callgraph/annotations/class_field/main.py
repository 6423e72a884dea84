class Ledger:
    def post(self):
        pass


class Account:
    ledger: Ledger

    def book(self):
        self.ledger.post()
