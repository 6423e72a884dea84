from json import dumps as to_json


def encode(obj):
    return to_json(obj)


encode({"a": 1})
