from desk.router import route

route()
