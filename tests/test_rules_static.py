"""Per-rule tests on small snippets for the rules that need no coverage: KW000, KW102, KW202, KW301.
Each planted condition must be found; each look-alike must stay silent."""

from __future__ import annotations

from projects import check_json, make_project, rules_at

SAFETY = """
[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main"]
[tool.knightwatch.safety]
sinks = ["app.wire.Gateway.send"]
breakers = ["app.risk.check"]
"""

WIRE = {
    "app/__init__.py": "",
    "app/wire.py": '''
        class Gateway:
            def send(self, order):
                return order

        class FastGateway(Gateway):
            def send(self, order):
                return order
    ''',
    "app/risk.py": '''
        def check(order):
            return order < 100

        def guarded(fn):
            def run(*args):
                if not check(args[0]):
                    return None
                return fn(*args)
            return run
    ''',
}


def safety_project(tmp_path, main_body: str):
    return make_project(tmp_path, {**WIRE, "app/main.py": main_body}, SAFETY)


def test_kw301_sink_without_breaker_carries_its_path(tmp_path):
    root = safety_project(tmp_path, '''
        from app.wire import Gateway
        from app import risk

        def legacy(gw: Gateway, order):
            gw.send(order)

        def main():
            legacy(Gateway(), 5)
    ''')
    code, report, err = check_json(root)
    assert code == 1, err
    [f] = [f for f in report["findings"] if f["rule"] == "KW301"]
    assert (f["path"], f["line"], f["severity"]) == ("app/main.py", 5, "critical")
    assert [s["line"] for s in f["trace"]] == [8, 5]
    assert f["properties"]["sink"] == "app.wire.Gateway.send"


def test_kw301_breaker_forms_that_guard_the_sink_are_silent(tmp_path):
    root = safety_project(tmp_path, '''
        from app.wire import Gateway, FastGateway
        from app import risk
        from app.risk import guarded

        def before(gw: Gateway, order):
            risk.check(order)
            gw.send(order)

        def early_return(gw: Gateway, order):
            if not risk.check(order):
                return
            gw.send(order)

        def in_test(gw: Gateway, order):
            if risk.check(order):
                gw.send(order)

        def as_argument(gw: Gateway, order):
            gw.send(risk.check(order))

        @guarded
        def decorated(gw: Gateway, order):
            gw.send(order)

        def helper(gw: Gateway, order):
            gw.send(order)

        def caller_checks(gw: Gateway, order):
            if not risk.check(order):
                raise ValueError(order)
            helper(gw, order)

        def main():
            gw = FastGateway()
            before(gw, 1)
            early_return(gw, 1)
            in_test(gw, 1)
            as_argument(gw, 1)
            decorated(gw, 1)
            caller_checks(gw, 1)
    ''')
    code, report, err = check_json(root, "--select", "KW301")
    assert code == 0, (err, report["findings"])
    assert rules_at(report, "KW301") == []


def test_kw301_breaker_in_the_wrong_place_is_reported(tmp_path):
    root = safety_project(tmp_path, '''
        from app.wire import Gateway
        from app import risk

        def after(gw: Gateway, order):
            gw.send(order)
            risk.check(order)

        def only_sometimes(gw: Gateway, order, fast):
            if fast:
                risk.check(order)
            gw.send(order)

        def in_handler(gw: Gateway, order):
            try:
                risk.check(order)
            except ValueError:
                pass
            for _ in range(2):
                gw.send(order)

        def main():
            gw = Gateway()
            after(gw, 1)
            only_sometimes(gw, 1, True)
            in_handler(gw, 1)
    ''')
    code, report, err = check_json(root, "--select", "KW301")
    assert code == 1, err
    assert rules_at(report, "KW301") == [("app/main.py", 5), ("app/main.py", 11), ("app/main.py", 19)]


def test_kw301_override_of_a_sink_counts_as_a_sink(tmp_path):
    root = safety_project(tmp_path, '''
        from app.wire import FastGateway

        def main():
            FastGateway().send(3)
    ''')
    _, report, _ = check_json(root, "--select", "KW301")
    assert rules_at(report, "KW301") == [("app/main.py", 4)]


def test_kw301_through_functions_handed_to_threads_pools_and_schedulers(tmp_path):
    # the argument the pool, thread or scheduler passes on is what the function sends through
    root = safety_project(tmp_path, '''
        import sched
        import threading
        from concurrent.futures import ThreadPoolExecutor
        from app.wire import Gateway
        from app import risk

        def child(gw, order):
            gw.send(order)

        def sliced(gw):
            gw.send(1)

        def fire(gw, order):
            gw.send(order)

        def checked(gw, order):
            if risk.check(order):
                gw.send(order)

        def main():
            gw = Gateway()
            with ThreadPoolExecutor() as pool:
                pool.submit(child, gw, 5)
                list(pool.map(sliced, [gw]))
            threading.Thread(target=checked, args=(gw, 7)).start()
            s = sched.scheduler()
            s.enter(0, 1, fire, argument=(gw, 2))
            s.run()
    ''')
    code, report, err = check_json(root)
    assert code == 1, err
    found = {(f["line"], f["severity"]) for f in report["findings"] if f["rule"] == "KW301"}
    assert found == {(8, "critical"), (11, "critical"), (14, "critical")}  # they certainly run them


def test_kw301_unknown_sink_is_a_config_error(tmp_path):
    root = make_project(tmp_path, {**WIRE, "app/main.py": "def main():\n    pass\n"},
                        SAFETY.replace("app.wire.Gateway.send", "app.wire.Nope.send"))
    code, report, err = check_json(root)
    assert code == 2
    assert "sink 'app.wire.Nope.send' not found" in err and "pyproject.toml" in err


DEAD_CONFIG = """
[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main"]
"""


def test_kw102_reports_dead_module_function_and_class_with_confidence(tmp_path):
    root = make_project(tmp_path, {
        "app/__init__.py": "",
        "app/orphan.py": "def relay(order):\n    return order\n",
        "app/main.py": '''
            def unused():
                return 1

            class Unused:
                def method(self):
                    return 2

            def mentioned():
                return 3

            NAMES = ["mentioned"]

            def main():
                return NAMES
        ''',
    }, DEAD_CONFIG)
    code, report, err = check_json(root, "--select", "KW102")
    assert code == 1, err
    found = {(f["path"], f["line"]): f["properties"]["confidence"] for f in report["findings"]}
    # the class is reported once, not once more for its method; the module once, not per function
    assert found == {("app/main.py", 1): 100, ("app/main.py", 4): 100, ("app/main.py", 8): 80,
                     ("app/orphan.py", 1): 100}


def test_kw102_dynamic_and_framework_uses_are_not_dead(tmp_path):
    root = make_project(tmp_path, {
        "app/__init__.py": "",
        "app/web.py": '''
            import click

            @click.command()
            def cli():
                pass
        ''',
        "app/main.py": '''
            import app.web

            def by_table():
                pass

            def by_name():
                pass

            def callback():
                pass

            class Base:
                def run(self):
                    return self.step()

                def step(self):
                    pass

            class Impl(Base):
                def step(self):
                    pass

                def __repr__(self):
                    return "Impl"

            TABLE = {"a": by_table}

            def apply(fn):
                return fn()

            def main(name="by_name"):
                TABLE[name]()
                globals()[name]()
                apply(callback)
                Impl().run()
        ''',
    }, DEAD_CONFIG)
    code, report, err = check_json(root, "--select", "KW102")
    assert rules_at(report, "KW102") == [], report["findings"]
    assert code == 0, err


REGISTRY_CONFIG = """
[tool.knightwatch]
source = ["app"]
entry-points = ["app.main:main"]
[tool.knightwatch.flags]
accessors = ["app.flags.Flags.on"]
registry = "flags.toml"
"""


def test_kw202_expired_unread_and_undeclared_flags(tmp_path):
    root = make_project(tmp_path, {
        "app/__init__.py": "",
        "app/flags.py": '''
            import enum

            class Flags:
                def on(self, key):
                    return False

            class Keys(str, enum.Enum):
                OLD = "old-release"
        ''',
        "app/main.py": '''
            from app.flags import Flags, Keys
            KILL = "kill"

            def main(flags: Flags):
                if flags.on(Keys.OLD):
                    return 1
                if flags.on(KILL):
                    return 2
                if flags.on("nobody-declared-me"):
                    return 3
        ''',
        "flags.toml": '''
            [flags."old-release"]
            owner = "team"
            kind = "release"
            created = 2010-01-01
            expires = 2011-01-01

            [flags."kill"]
            owner = "ops"
            kind = "kill-switch"
            created = 2010-01-01

            [flags."unread"]
            owner = "team"
            kind = "experiment"
            created = 2020-01-01
            expires = 2099-01-01

            [flags."expired-unread"]
            owner = "team"
            kind = "release"
            created = 2010-01-01
            expires = 2012-01-01
        ''',
    }, REGISTRY_CONFIG)
    code, report, err = check_json(root, "--select", "KW202")
    assert code == 1, err
    found = sorted((f["path"], f["line"], f["severity"]) for f in report["findings"])
    assert found == [("app/main.py", 9, "low"), ("flags.toml", 1, "medium"), ("flags.toml", 12, "low"),
                     ("flags.toml", 18, "low")]


def test_kw202_invalid_registry_date_names_flag_and_file(tmp_path):
    root = make_project(tmp_path, {
        "app/__init__.py": "", "app/flags.py": "class Flags:\n    def on(self, k):\n        return k\n",
        "app/main.py": "def main():\n    pass\n",
        "flags.toml": '[flags."x"]\nowner = "t"\nkind = "release"\ncreated = "yesterday"\n',
    }, REGISTRY_CONFIG)
    code, _, err = check_json(root)
    assert code == 2
    assert "flags.toml" in err and "'x'" in err and "created" in err


def test_kw000_unparsable_file_is_reported_and_the_run_goes_on(tmp_path):
    root = make_project(tmp_path, {
        "app/__init__.py": "",
        "app/broken.py": "def f(:\n    pass\n",
        "app/modern.py": "type Pair[T] = tuple[T, T]\n\ndef first[T](p: Pair[T]) -> T:\n    return p[0]\n",
        "app/main.py": "from app.modern import first\n\ndef main():\n    return first((1, 2))\n",
    }, DEAD_CONFIG)
    code, report, err = check_json(root)
    assert code == 1, err
    assert rules_at(report, "KW000") == [("app/broken.py", 1)]
    # newer-than-interpreter syntax is analysed, and its function is reached, not dead
    assert not [f for f in report["findings"] if f["path"] == "app/modern.py"]
