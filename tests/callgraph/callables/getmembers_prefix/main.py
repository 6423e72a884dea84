import inspect


class Session:
    def __init__(self):
        self.handlers = {name[3:]: m for name, m in inspect.getmembers(self, predicate=inspect.ismethod)
                         if name.startswith("on_")}
        self.commands = {name[3:]: getattr(self, name) for name in dir(self) if name.startswith("do_")}

    def receive(self, msgtype, body):
        return self.handlers[msgtype](body)

    def run(self, command):
        return self.commands[command]()

    def on_heartbeat(self, body):
        return "hb"

    def on_order(self, body):
        return body

    def do_quit(self):
        return 0

    def close(self):
        pass


s = Session()
s.receive("order", "IBM")
s.run("quit")
