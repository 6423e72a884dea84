import importlib


def render(fmt, rows):
    module = importlib.import_module(f"reporters.{fmt}")
    return module.render(rows)


def load(name):
    return importlib.import_module("reporters." + name).HEADER


render("text", [1])
load("csvfile")
