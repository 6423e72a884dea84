"""The OpenFeature CLI flag manifest as a registry: read (recognised by content), written by
`knightwatch flags --format openfeature`, and round-tripped; bad manifests are one line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from knightwatch.cli import main
from knightwatch.graphs.openfeature import SCHEMA_URL
from projects import check_json, make_project

MANIFEST = {
    "$schema": SCHEMA_URL,
    "flags": {
        "checkout.fast-path": {"flagType": "boolean", "defaultValue": False, "description": "Skip the slow fraud check"},
        "checkout.theme": {"flagType": "string", "defaultValue": "light"},
        "checkout.retry": {"flagType": "object", "defaultValue": {"attempts": 3}, "description": "Retry policy"},
        "checkout.legacy-cart": {"flagType": "boolean", "defaultValue": True},
    },
}
CODE = {
    "shop/__init__.py": "",
    "shop/app.py": """
        from openfeature import api

        client = api.get_client()
        FAST = "checkout.fast-path"


        def pay(ctx):
            if client.get_boolean_value(FAST, False, ctx):
                return 1
            if client.get_string_value("checkout.theme", "light", ctx) == "dark":
                return 2
            if client.get_integer_value("checkout.max-items", 10, ctx) > 3:
                return 3
            return 0
    """,
}


def write_manifest(root, name="flags.json", data=MANIFEST):
    (root / name).write_text(json.dumps(data, indent=2) + "\n")


def manifest_of(root) -> dict:
    result = CliRunner().invoke(main, ["flags", str(root), "--format", "openfeature", "--no-cache"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def project(tmp_path, registry="flags.json"):
    return make_project(tmp_path / "shop", CODE, f'[tool.knightwatch.flags]\nregistry = "{registry}"\n')


def test_manifest_registry_round_trips(tmp_path):
    """Read as the registry and written back: the declared flags come out as they went in, and the
    key only the code reads is added, typed by the OpenFeature method that reads it."""
    root = project(tmp_path)
    write_manifest(root)
    written = manifest_of(root)
    assert written["$schema"] == SCHEMA_URL
    extra = written["flags"].pop("checkout.max-items")
    assert extra == {"flagType": "integer", "defaultValue": 0}
    assert written == MANIFEST
    # the written manifest (with the added key) is itself a registry that writes back unchanged
    again = manifest_of(root)
    write_manifest(root, data=again)
    assert manifest_of(root) == again


def test_manifest_registry_drives_kw202_at_the_manifest_line(tmp_path):
    root = project(tmp_path)
    write_manifest(root)
    code, report, stderr = check_json(root, "--select", "KW202")
    assert code == 1, stderr
    lines = (root / "flags.json").read_text().splitlines()
    found = sorted((f["path"], f["line"], f["message"].split(" is ")[0]) for f in report["findings"])
    legacy = next(i for i, t in enumerate(lines, 1) if '"checkout.legacy-cart":' in t)
    retry = next(i for i, t in enumerate(lines, 1) if '"checkout.retry":' in t)
    assert found == sorted([("flags.json", legacy, "flag 'checkout.legacy-cart'"),
                            ("flags.json", retry, "flag 'checkout.retry'"), ("shop/app.py", 12, "flag 'checkout.max-items'")])


def test_manifest_is_recognised_by_content_not_name(tmp_path):
    root = project(tmp_path, "openfeature.manifest")
    write_manifest(root, "openfeature.manifest")
    assert "checkout.retry" in manifest_of(root)["flags"]


def test_toml_registry_is_written_as_a_manifest(tmp_path):
    root = project(tmp_path, "flags.toml")
    (root / "flags.toml").write_text('[flags."checkout.theme"]\nowner = "web"\ntype = "string"\ndefault = "dark"\n'
                                     'description = "Colour scheme"\n\n[flags."checkout.fast-path"]\nowner = "pay"\n')
    assert manifest_of(root)["flags"] == {
        "checkout.fast-path": {"flagType": "boolean", "defaultValue": False},
        "checkout.max-items": {"flagType": "integer", "defaultValue": 0},
        "checkout.theme": {"flagType": "string", "defaultValue": "dark", "description": "Colour scheme"},
    }


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not a JSON flag manifest"),
    ('{"flags": {}}', 'not an OpenFeature flag manifest (needs a non-empty "flags" object)'),
    ('{"flags": {"a": {"flagType": "bool", "defaultValue": true}}}', "flag 'a': flagType 'bool' is not one of"),
    ('{"flags": {"a": {"flagType": "integer", "defaultValue": true}}}', "flag 'a': defaultValue True is not an integer"),
    ('{"flags": {"a": {"flagType": "string"}}}', "flag 'a': defaultValue None is not a string"),
    ('{"flags": {"a": []}}', "flag 'a' must be an object"),
])
def test_bad_manifest_is_one_line(tmp_path, text, message):
    root = project(tmp_path)
    (root / "flags.json").write_text(text)
    result = CliRunner().invoke(main, ["check", str(root), "--no-cache"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_no_flags_to_write_is_one_line(tmp_path):
    root = make_project(tmp_path / "p", {"app.py": "x = 1\n"}, "[tool.knightwatch]\n")
    result = CliRunner().invoke(main, ["flags", str(root), "--format", "openfeature", "--no-cache"])
    assert result.exit_code == 2 and "needs at least one flag" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
