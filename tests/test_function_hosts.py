"""Which hosts ran a function when coverage records no line of its body: a docstring alone (a click
group's body, a hook kept for later) is judged by the arc entering its code, which starts at its
first decorator; a package's `__main__` is a program's start even without a `__main__` block."""

from __future__ import annotations

from projects import check_json, make_project, run_hosts

FILES = {
    "app/__init__.py": "",
    "app/__main__.py": """
        from app.main import main

        main()
    """,
    "app/main.py": """
        import functools
        import sys


        def traced(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                return fn(*args, **kwargs)
            return wrapper


        def hook():
            \"\"\"Called on every run; nothing to do in this release.\"\"\"


        @traced
        def group():
            \"\"\"A decorated body of a docstring alone.\"\"\"


        @traced
        def one(): return 1


        def later():  # expect: KW101 medium
            \"\"\"Only for a flag of the command line no host passes.\"\"\"


        def main():
            hook()
            group()
            one()
            if len(sys.argv) > 5:
                later()
    """,
}


def test_a_docstring_alone_is_judged_by_the_arc_into_it(tmp_path):
    root = make_project(tmp_path / "app", FILES, """
        [tool.knightwatch]
        source = ["app"]
        entry-points = ["app.main:main"]
        coverage = ["prodcov/.coverage.*"]
    """)
    run_hosts(root, "app", "app", {"h1": []})
    _, report, err = check_json(root)
    found = {(f["rule"], f["symbol"]) for f in report["findings"]}
    assert found == {("KW101", "app.main.later")}, err  # and no KW102 for app.__main__: it is run as `-m app`
