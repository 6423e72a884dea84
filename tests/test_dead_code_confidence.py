"""KW102's confidence is calibrated (issue 14): it is the share of findings of its kind measured
truly dead on real projects, and code only other findings use is no surer than they are."""

from __future__ import annotations

from projects import check_json, make_project

CONFIG = """[tool.knightwatch]
source = ["app"]
exclude = ["tests"]
entry-points = ["app.main:main"]
"""

FILES = {
    "app/__init__.py": "",
    "app/main.py": '''
        ACTIONS = ["spelled"]


        def main():
            return ACTIONS


        def spelled():
            return _spelled_helper()


        def _spelled_helper():
            return 1


        def api():
            return _api_helper()


        def _api_helper():
            return 2


        def nothing():
            return 3
    ''',
    "tests/test_api.py": '''
        from app.main import api


        def test_api():
            assert api() == 2
    ''',
}


def test_confidence_follows_what_names_the_code_and_what_calls_it(tmp_path):
    # with the tests not counted as users, code only they name is reported, at 20%
    root = make_project(tmp_path / "app", FILES, CONFIG + 'dead-code-tests = "ignore"\n')
    _, report, err = check_json(root, "--select", "KW102")
    assert not err
    found = {f["symbol"]: (f["properties"]["confidence"], f["properties"]["why"]) for f in report["findings"]}
    assert {q: c for q, (c, _) in found.items()} == {
        "app.main.spelled": 80, "app.main._spelled_helper": 80,  # only a finding at 80% calls it
        "app.main.api": 20, "app.main._api_helper": 20,  # only the tests call api
        "app.main.nothing": 100}
    assert found["app.main._api_helper"][1] == "app.main.api, reported at 20%, uses it"


def test_code_the_tests_use_is_alive_by_default(tmp_path):
    root = make_project(tmp_path / "app", FILES, CONFIG)
    _, report, err = check_json(root, "--select", "KW102")
    assert not err
    assert {f["symbol"]: f["properties"]["confidence"] for f in report["findings"]} == {
        "app.main.spelled": 80, "app.main._spelled_helper": 80, "app.main.nothing": 100}
