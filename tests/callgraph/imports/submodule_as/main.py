import pkg.db as database

database.connect()
