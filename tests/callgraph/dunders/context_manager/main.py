class Session:
    def __enter__(self):
        open_connection()
        return self

    def __exit__(self, exc_type, exc, tb):
        close_connection()
        return False

    def query(self):
        pass


def open_connection():
    pass


def close_connection():
    pass


with Session() as s:
    s.query()
