"""KW102 counts as alive what a loader, a framework, packaging metadata or a type annotation uses
(issue 14: dead means dead); what nothing can reach is still reported, at 100%."""

from __future__ import annotations

from knightwatch.graphs import liveness
from projects import check_json, make_project

PYPROJECT = """[project.scripts]
plug-cli = "plug.cli:run"

[project.entry-points."plug.plugins"]
fancy = "plug.extras:Fancy"

[tool.knightwatch]
source = ["plug"]
entry-points = ["plug.main:main"]
"""

PLUGIN = {
    "plug/__init__.py": '''
    ''',
    "plug/base.py": '''
        class Base:
            def handle(self, event):
                raise NotImplementedError
    ''',
    "plug/cli.py": '''
        def run():
            return 0
    ''',
    "plug/extras.py": '''
        class Fancy:
            def __init__(self):
                self.x = 1
    ''',
    "plug/frameworks.py": '''
        import ast
        import logging

        import torch


        class Net(torch.nn.Module):
            def forward(self, x):
                return scale(x)


        def scale(x):
            return x * 2


        class Sink(logging.Handler):
            def emit(self, record):
                print(record)


        class Names(ast.NodeVisitor):
            def visit_Name(self, node):
                return node.id


        def really_dead():
            return 42
    ''',
    "plug/handlers/__init__.py": '''
    ''',
    "plug/handlers/alpha.py": '''
        from plug.base import Base


        class Alpha(Base):
            def handle(self, event):
                return _format(event)


        def _format(event):
            return str(event)
    ''',
    "plug/loader.py": '''
        import importlib
        import pkgutil

        import plug.handlers
        from plug.base import Base


        def load(names):
            found: list[Base] = []
            for info in pkgutil.iter_modules(plug.handlers.__path__):
                module = importlib.import_module(f"plug.handlers.{info.name}")
                for name in names:
                    found.append(getattr(module, name)())
            return found
    ''',
    "plug/walker.py": '''
        class Walker:
            def dispatch(self, node):
                return getattr(self, "visit_" + type(node).__name__)(node)


        class Printer(Walker):
            def visit_int(self, node):
                return str(node)
    ''',
    "plug/main.py": '''
        from plug.walker import Printer
        import logging

        from plug.frameworks import Names, Net, Sink
        from plug.loader import load
        from plug.models import describe


        def main():
            for handler in load(["Alpha"]):
                handler.handle("tick")
            Net()
            logging.getLogger().addHandler(Sink())
            Names().visit(None)
            describe(None)
            Printer().dispatch(1)
    ''',
    "plug/models.py": '''
        from typing import TypedDict

        from pydantic import BaseModel


        class Point(TypedDict):
            x: int


        class Order(BaseModel):
            where: Point
            qty: int


        def describe(order: Order) -> str:
            return "order"
    ''',
}


def _dead(root, *args) -> dict[str, int]:
    _, report, err = check_json(root, "--select", "KW102", *args)
    assert not err
    return {f["symbol"]: f["properties"]["confidence"] for f in report["findings"]}


def test_loaders_frameworks_packaging_and_annotations_keep_code_alive(tmp_path):
    root = make_project(tmp_path / "plug", PLUGIN, PYPROJECT)
    assert _dead(root) == {"plug.frameworks.really_dead": 100}


def test_without_a_loader_a_subclass_of_a_used_base_is_reported_at_low_confidence(tmp_path):
    files = dict(PLUGIN)
    files["plug/loader.py"] = '''
        import plug.handlers.alpha
        from plug.base import Base


        def load(names):
            return [Base() for _ in names]
    '''
    root = make_project(tmp_path / "plug", files, PYPROJECT)
    dead = _dead(root)
    assert dead["plug.handlers.alpha.Alpha"] == 30
    assert dead["plug.frameworks.really_dead"] == 100


def test_undeclared_entry_points_and_unused_annotations_are_dead(tmp_path):
    files = dict(PLUGIN)
    files["plug/main.py"] = PLUGIN["plug/main.py"].replace("describe(None)", "pass").replace(
        "from plug.models import describe", "import plug.models")
    root = make_project(tmp_path / "plug", files, PYPROJECT.split("[tool.knightwatch]")[0].replace(
        "plug.extras:Fancy", "plug.extras:Missing") + "[tool.knightwatch]" + PYPROJECT.split("[tool.knightwatch]")[1])
    dead = _dead(root)
    assert {"plug.extras.Fancy", "plug.models.describe", "plug.models.Order", "plug.models.Point"} <= set(dead)


LIBRARY = {
    "lib/__init__.py": '''
        from lib.core import exported

        __all__ = ["exported", "also"]


        def also():
            return _private()


        def _private():
            return 1


        def unexported():
            return 2
    ''',
    "lib/core.py": '''
        def exported():
            return _Wrapper()


        class _Wrapper:
            def cache_clear(self):
                return 0

            def _unused(self):
                return 1
    ''',
}


def test_library_exports_are_alive_and_an_application_says_so(tmp_path):
    root = make_project(tmp_path / "lib", LIBRARY, '[tool.knightwatch]\nsource = ["lib"]\nproject = "library"\n')
    assert _dead(root) == {"lib.unexported": 100, "lib.core._Wrapper._unused": 100}  # users call cache_clear
    (root / "pyproject.toml").write_text('[tool.knightwatch]\nsource = ["lib"]\nproject = "application"\n')
    assert set(_dead(root)) == {"lib.unexported", "lib.also", "lib._private", "lib.core._Wrapper.cache_clear",
                                "lib.core._Wrapper._unused"}  # exported: imported


def test_unconfigured_a_distribution_with_no_scripts_is_a_library_and_says_so(tmp_path):
    library_dead = {"lib.unexported": 100, "lib.core._Wrapper._unused": 100}
    root = make_project(tmp_path / "lib", LIBRARY, '[tool.knightwatch]\nsource = ["lib"]\n')  # ([project] named)
    assert _dead(root) == library_dead
    _, report, _ = check_json(root, "--select", "KW102")
    assert [n for n in report["notes"] if n.startswith("KW102")] == [liveness.LIBRARY_NOTE]
    application_dead = {"lib.unexported", "lib.also", "lib._private", "lib.core._Wrapper.cache_clear",
                        "lib.core._Wrapper._unused"}
    # a script declared, an entry point configured, or no packaging metadata: an application
    (root / "pyproject.toml").write_text('[project]\nname = "lib"\n\n[project.scripts]\nlib-run = "lib:also"\n\n'
                                         '[tool.knightwatch]\nsource = ["lib"]\n')
    assert set(_dead(root)) == application_dead - {"lib.also", "lib._private"}  # (also calls it)
    (root / "pyproject.toml").write_text('[project]\nname = "lib"\n\n[tool.knightwatch]\nsource = ["lib"]\n'
                                         'entry-points = ["lib:also"]\n')
    assert set(_dead(root)) == application_dead - {"lib.also", "lib._private"}  # (also calls it)
    (root / "pyproject.toml").write_text('[tool.knightwatch]\nsource = ["lib"]\n')
    assert set(_dead(root)) == application_dead
    _, report, _ = check_json(root, "--select", "KW102")
    assert not [n for n in report["notes"] if n.startswith("KW102")]
    (root / "setup.py").write_text("from setuptools import setup\nsetup(name='lib')\n")  # a setup.py: a library
    assert _dead(root) == library_dead
    init = root / "lib" / "__init__.py"  # a package that declares no API and cannot run is still a library
    init.write_text(init.read_text().replace('__all__ = ["exported", "also"]', ""))
    assert _dead(root) == {"lib.core._Wrapper._unused": 100}  # (with no `__all__`, every public name is API)
    (root / "lib" / "__main__.py").write_text("from lib import also\n\nalso()\n")  # one you run is an application's
    _, report, _ = check_json(root, "--select", "KW102")
    assert "lib.unexported" in {f["symbol"] for f in report["findings"]}
    assert [n for n in report["notes"] if n.startswith("KW102")] == [liveness.APPLICATION_NOTE]


def test_a_hatch_build_hook_and_what_it_calls_are_alive(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/main.py": """
            def main():
                return 0
        """,
        "app/build_hook.py": """
            from hatchling.builders.hooks.plugin.interface import BuildHookInterface


            def compile_catalogs(root):
                return root


            class CatalogHook(BuildHookInterface):
                def initialize(self, version, build_data):
                    compile_catalogs(self.root)
        """,
    }
    config = '[tool.knightwatch]\nsource = ["app"]\nentry-points = ["app.main:main"]\n'
    root = make_project(tmp_path / "app", files, config)
    assert set(_dead(root)) == {"app.build_hook"}  # nothing imports the module
    hooks = '\n[tool.hatch.build.hooks.custom]\npath = "app/build_hook.py"\n'
    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text() + hooks)
    assert _dead(root) == {}


def test_setup_cfg_entry_points_are_roots(tmp_path):
    root = make_project(tmp_path / "lib", LIBRARY, '[tool.knightwatch]\nsource = ["lib"]\nproject = "application"\n')
    (root / "setup.cfg").write_text("[options.entry_points]\nconsole_scripts =\n    lib-run = lib:unexported\n")
    assert "lib.unexported" not in _dead(root)


def test_project_kind_is_checked(tmp_path):
    root = make_project(tmp_path / "lib", LIBRARY, '[tool.knightwatch]\nsource = ["lib"]\nproject = "tool"\n')
    code, _, err = check_json(root)
    assert code == 2 and "'project' must be application or library" in err


def test_overrides_called_on_an_untyped_value_are_alive(tmp_path):
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/steps.py": '''
            class Step:
                def run(self, data):
                    raise NotImplementedError


            class Double(Step):
                def run(self, data):
                    return data * 2

                def unused(self):
                    return 0


            REGISTRY = {"double": Double}
        ''',
        "app/main.py": '''
            import json

            from app.steps import REGISTRY


            def main():
                step = json.loads("{}").get("step")  # the graph cannot type it
                return step.run(1), REGISTRY
        ''',
    }, '[tool.knightwatch]\nsource = ["app"]\nentry-points = ["app.main:main"]\n')
    assert _dead(root) == {"app.steps.Double.unused": 100}


STRATEGIES = {
    "bot/__init__.py": '''
    ''',
    "bot/data.py": '''
        class DataProvider:
            def candles(self, pair):
                return []

            def ticker(self, pair):
                return {}


        class Trade:
            def profit(self):
                return 0.0

            def set_note(self, note):
                return note
    ''',
    "bot/interface.py": '''
        from abc import ABC, abstractmethod

        from bot.data import DataProvider, Trade


        class IStrategy(ABC):
            dp: DataProvider

            @abstractmethod
            def signal(self, pair: str) -> bool:
                ...

            def custom_exit(self, trade: Trade) -> bool:
                return False
    ''',
    "bot/ledger.py": '''
        class Ledger:
            def total(self):
                return 0

            def never_called(self):
                return 1
    ''',
    "bot/main.py": '''
        import importlib

        from bot.data import DataProvider
        from bot.interface import IStrategy
        from bot.ledger import Ledger


        def main(name):
            module = importlib.import_module(f"user_data.{name}")
            strategy: IStrategy = getattr(module, name)()
            strategy.dp = DataProvider()
            strategy.dp.candles("BTC")
            return strategy.signal("BTC"), strategy.custom_exit(None), Ledger().total()
    ''',
}


def test_types_an_interface_hands_to_plugins_loaded_from_outside_are_theirs_to_call(tmp_path):
    """freqtrade's user strategies call `self.dp.ticker()` and `trade.set_note()` from outside the
    analysed source: the strategy interface's field and parameter types are API, not dead code."""
    root = make_project(tmp_path / "bot", STRATEGIES, '[tool.knightwatch]\nsource = ["bot"]\n'
                        'entry-points = ["bot.main:main"]\n')
    assert _dead(root) == {"bot.ledger.Ledger.never_called": 100}


def test_a_computed_all_exports_the_public_names(tmp_path):
    """backtesting.lib builds `__all__` from `globals()`: not an empty list, every public name."""
    files = dict(LIBRARY)
    files["lib/tools.py"] = '''
        def crossover(a, b):
            return a > b


        def _helper():
            return 0


        __all__ = [k for k, v in globals().items() if callable(v) and not k.startswith("_")]
    '''
    root = make_project(tmp_path / "lib", files, '[tool.knightwatch]\nsource = ["lib"]\nproject = "library"\n')
    dead = _dead(root)
    assert "lib.tools.crossover" not in dead and dead["lib.tools._helper"] == 100


FACADE = {
    "bt/__init__.py": '''
        from .feeds import *
        from .filters import *
        from .sizers import *
    ''',
    "bt/feeds.py": '''
        class CSVFeed:
            def load(self):
                return []
    ''',
    "bt/filters.py": '''
        class SessionFilter:
            def apply(self, bar):
                return bar
    ''',
    "bt/sizers.py": '''
        class FixedSize:
            def size(self):
                return 1
    ''',
    "bt/run.py": '''
        def main():
            return 0
    ''',
}


def test_a_package_that_re_exports_its_modules_is_a_library_unless_it_declares_scripts(tmp_path):
    """backtrader's shape: `from .feeds import *` for every module in its package; a setup.py's
    `entry_points` are read from its AST (never run)."""
    root = make_project(tmp_path / "bt", FACADE, '[tool.knightwatch]\nsource = ["bt"]\n')
    (root / "setup.py").write_text("import setuptools\n\nsetuptools.setup(name='bt', packages=['bt'])\n")
    _, report, _ = check_json(root, "--select", "KW102")
    assert not report["findings"]
    assert [n for n in report["notes"] if n.startswith("KW102")] == [liveness.LIBRARY_NOTE]
    scripts = "ENTRY = {'console_scripts': ['bt-run = bt.run:main']}\n"
    (root / "setup.py").write_text(f"import setuptools\n\n{scripts}\nsetuptools.setup(name='bt', entry_points=ENTRY)\n")
    _, report, _ = check_json(root, "--select", "KW102")
    assert {f["symbol"] for f in report["findings"]} == {"bt.feeds.CSVFeed", "bt.filters.SessionFilter",
                                                         "bt.sizers.FixedSize"}  # bt.run.main: the script
    assert [n for n in report["notes"] if n.startswith("KW102")] == [liveness.SCRIPTS_NOTE]


def test_dead_code_that_can_reach_a_sink_is_medium(tmp_path):
    """Medium when the dead code reaches a sink through its calls, or calls a sink method's name on a
    parameter no call binds (dead code's parameters never are); low otherwise."""
    files = {
        "app/__init__.py": "",
        "app/venue.py": """
            class Venue:
                def place(self, qty):
                    return qty
        """,
        "app/main.py": """
            from app.venue import Venue


            def main():
                return 0


            def _resend(qty):
                return _send(qty)


            def _send(qty):
                return Venue().place(qty)


            def _quiet():
                return 1
        """,
        "app/bridge.py": """
            def relay(venue, raw):
                return venue.place(int(raw))
        """,
    }
    config = ('[tool.knightwatch]\nsource = ["app"]\nentry-points = ["app.main:main"]\n'
              '[tool.knightwatch.safety]\nsinks = ["app.venue.Venue.place"]\nbreakers = []\n')
    root = make_project(tmp_path / "app", files, config)
    _, report, _ = check_json(root, "--select", "KW102")
    assert {f["symbol"]: f["severity"] for f in report["findings"]} == {
        "app.main._resend": "medium", "app.main._send": "medium", "app.main._quiet": "low", "app.bridge": "medium"}


def test_a_function_of_an_imported_module_keeps_no_method_of_its_name_alive(tmp_path):
    # `itertools.count(1)` is no call of a method `count` on a value the graph cannot type
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/main.py": '''
            import itertools


            class Store:
                def __init__(self):
                    self._ids = itertools.count(1)

                def count(self):
                    return 0


            def main():
                return Store()
        ''',
    }, '[tool.knightwatch]\nsource = ["app"]\nentry-points = ["app.main:main"]\n')
    assert set(_dead(root)) == {"app.main.Store.count"}


def test_a_property_nothing_reads_is_dead_and_one_read_on_an_untyped_value_is_not(tmp_path):
    # dispatchdesk and settingsdesk probes: a class used to keep all its properties alive
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/main.py": '''
            import json
            from dataclasses import dataclass


            @dataclass
            class Fill:
                qty: int
                price: float

                @property
                def notional(self):  # nothing reads it
                    return self.qty * self.price

                @property
                def signed(self):  # read on a value the graph cannot type
                    return self.qty

                @property
                def side(self):  # read on a Fill
                    return "buy" if self.qty > 0 else "sell"


            def main():
                fill = Fill(1, 2.0)
                other = json.loads("{}")
                return fill.side, other.signed
        ''',
    }, '[tool.knightwatch]\nsource = ["app"]\nentry-points = ["app.main:main"]\n')
    assert set(_dead(root)) == {"app.main.Fill.notional"}


def test_what_an_application_that_loads_plugins_exports_in_all_is_the_plugins_to_use(tmp_path):
    # freqtrade: `from freqtrade.strategy import *` in a user's strategy; `IntParameter.range`
    root = make_project(tmp_path / "bot", {
        "bot/__init__.py": "",
        "bot/strategy/__init__.py": '''
            from bot.strategy.parameters import IntParameter, Unlisted

            __all__ = ["IntParameter"]
        ''',
        "bot/strategy/parameters.py": '''
            class IntParameter:
                def __init__(self, low, high):
                    self.low, self.high = low, high

                @property
                def range(self):
                    return range(self.low, self.high)

                def _private(self):
                    return 0


            class Unlisted:
                def helper(self):
                    return 0
        ''',
        "bot/main.py": '''
            import importlib

            from bot.strategy import IntParameter, Unlisted


            def main(name):
                strategy = importlib.import_module(name)
                return IntParameter(1, 2), Unlisted(), strategy
        ''',
    }, '[tool.knightwatch]\nsource = ["bot"]\nentry-points = ["bot.main:main"]\n')
    assert set(_dead(root)) == {"bot.strategy.parameters.IntParameter._private",
                                "bot.strategy.parameters.Unlisted.helper"}
