"""Exporters register themselves on import; the caller picks one by name."""

from plugins import registry
from plugins import csv_export, json_export  # noqa: F401 - imported to register


def run(fmt, rows):
    return registry.get(fmt)(rows)


run("csv", [1])
run("json", [2])
