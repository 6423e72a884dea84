"""Plugins loaded the pkgutil way, by names under this package's own `__name__`."""
import importlib
import pkgutil


def load():
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
