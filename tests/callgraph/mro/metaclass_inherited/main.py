class SchemaMeta(type):
    def __new__(mcs, name, bases, attrs):
        return super().__new__(mcs, name, bases, attrs)

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)


class Schema(metaclass=SchemaMeta):
    def dump(self):
        return {}


class OrderSchema(Schema):
    def dump(self):
        return {"side": "buy"}


def from_dict(fields):
    return type("Generated", (Schema,), dict(fields))


Generated = from_dict({"qty": 1})
