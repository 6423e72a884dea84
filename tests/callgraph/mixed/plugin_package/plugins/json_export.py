import json

from .registry import register


@register("json")
def export(rows):
    return json.dumps(rows)
