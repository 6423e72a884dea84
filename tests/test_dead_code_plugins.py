"""KW102 on what users of an application name from outside it (issue 14, freqtrade): logging
handlers and formatters a data-driven logging configuration can name, classes a string names by
dotted path, and the methods a plugin interface offers its implementations."""

from __future__ import annotations

from projects import check_json, make_project

CONFIG = """[tool.knightwatch]
source = ["bot"]
entry-points = ["bot.main:main"]
"""

FILES = {
    "bot/__init__.py": "",
    "bot/logs.py": '''
        import logging
        import logging.config


        class JsonFormatter(logging.Formatter):
            def format(self, record):
                return "{}"


        class Console(logging.Handler):
            def emit(self, record):
                print(record)


        DEFAULT = {"version": 1, "handlers": {"console": {"class": "bot.logs.Console"}}}


        def setup(config):
            logging.config.dictConfig(config or DEFAULT)
    ''',
    "bot/model.py": '''
        import importlib
        from abc import ABC, abstractmethod


        class IModel(ABC):
            @abstractmethod
            def fit(self, data):
                ...

            @abstractmethod
            def never_called(self):
                ...

            def clean(self, data):
                """Deprecated: models that still call it are warned."""
                return data

            def train(self, data):
                return self.fit(data)


        class Linear(IModel):
            def fit(self, data):
                return data

            def never_called(self):
                return 0

            def unused_helper(self):
                return 1


        def load(name) -> IModel:
            return getattr(importlib.import_module("bot.model"), name)()
    ''',
    "bot/main.py": '''
        from bot.logs import setup
        from bot.model import load


        def main(config, name):
            setup(config)
            return load(name).train([])
    ''',
}


def _dead(root) -> dict[str, int]:
    _, report, err = check_json(root, "--select", "KW102")
    assert not err
    return {f["symbol"]: f["properties"]["confidence"] for f in report["findings"]}


def test_what_users_name_from_outside_the_application_is_alive(tmp_path):
    root = make_project(tmp_path / "bot", FILES, CONFIG)
    assert _dead(root) == {"bot.model.IModel.never_called": 100, "bot.model.Linear.never_called": 100,
                           "bot.model.Linear.unused_helper": 100}


def test_without_a_logging_configuration_from_data_an_unused_formatter_is_dead(tmp_path):
    files = dict(FILES)
    files["bot/logs.py"] = FILES["bot/logs.py"].replace("logging.config.dictConfig(config or DEFAULT)",
                                                        "logging.basicConfig(handlers=[Console()])")
    root = make_project(tmp_path / "bot", files, CONFIG)
    assert _dead(root)["bot.logs.JsonFormatter"] == 100


def test_a_module_named_in_a_string_without_a_loader_is_still_dead(tmp_path):
    root = make_project(tmp_path / "app", {
        "app/__init__.py": "",
        "app/old.py": "def relay():\n    return 1\n",
        "app/main.py": 'import logging\n\nlog = logging.getLogger("app.old")\n\n\ndef main():\n    return log\n',
    }, CONFIG.replace('"bot"', '"app"').replace("bot.main", "app.main"))
    assert _dead(root) == {"app.old": 100}
