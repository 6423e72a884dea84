import importlib
import sys


def render(fmt, rows):
    module = importlib.import_module(f"reporters.{fmt}")
    return module.render(rows)


render(sys.argv[1] if len(sys.argv) > 1 else "text", [1])
