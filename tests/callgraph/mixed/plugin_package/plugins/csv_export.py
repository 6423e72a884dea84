from .registry import register


@register("csv")
def export(rows):
    return ",".join(str(r) for r in rows)
