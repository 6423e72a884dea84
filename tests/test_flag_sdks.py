"""Each flag SDK knightwatch recognises out of the box, one test each, in the SDK's own call shape
(shapes from the SDKs' Python docs, see shared facts); and the README lists exactly these methods."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from knightwatch.cli import main
from knightwatch.config import DEFAULT_ACCESSORS
from projects import make_project

README = Path(__file__).resolve().parent.parent / "README.md"

#: SDK -> a module reading the flag "pay.fast-path" its way (the read is on line 4)
SDKS = {
    "openfeature": """
        from openfeature import api
        client = api.get_client()
        def handle(ctx):
            if client.get_boolean_value("pay.fast-path", False, ctx):
                return 1
    """,
    "openfeature-async": """
        from openfeature import api
        client = api.get_client()
        async def handle(ctx):
            if await client.get_boolean_details_async("pay.fast-path", False, ctx):
                return 1
    """,
    "launchdarkly": """
        import ldclient
        client = ldclient.get()
        def handle(context):
            if client.variation("pay.fast-path", context, False):
                return 1
    """,
    "unleash": """
        from UnleashClient import UnleashClient
        client = UnleashClient(url="http://unleash", app_name="pay")
        def handle():
            if client.is_enabled("pay.fast-path"):
                return 1
    """,
    "flagsmith": """
        from flagsmith import Flagsmith
        flags = Flagsmith(environment_key="k").get_environment_flags()
        def handle():
            if flags.is_feature_enabled("pay.fast-path"):
                return 1
    """,
    "growthbook": """
        from growthbook import GrowthBook
        gb = GrowthBook()
        def handle():
            if gb.is_on("pay.fast-path"):
                return 1
    """,
    "posthog": """
        import posthog
        USER = "u-1"
        def handle():
            if posthog.feature_enabled("pay.fast-path", USER):
                return 1
    """,
    "django-waffle": """
        from waffle import flag_is_active
        NAME = "x"
        def handle(request):
            if flag_is_active(request, "pay.fast-path"):
                return 1
    """,
    "split": """
        from splitio import get_factory
        client = get_factory("k").client()
        def handle(user):
            if client.get_treatment(user, "pay.fast-path") == "on":
                return 1
    """,
    "environment": """
        import os
        NAME = "x"
        def handle():
            if os.environ.get("pay.fast-path"):
                return 1
    """,
}


@pytest.mark.parametrize("sdk", sorted(SDKS))
def test_each_sdk_read_is_a_flag_read(tmp_path, sdk):
    root = make_project(tmp_path, {"pay/__init__.py": "", "pay/service.py": SDKS[sdk]})
    result = CliRunner().invoke(main, ["flags", str(root), "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    (flag,) = json.loads(result.stdout)["flags"]
    assert flag["key"] == "pay.fast-path"
    assert [(r["path"], r["line"]) for r in flag["reads"]] == [("pay/service.py", 4)]


def test_the_readme_lists_every_recognised_method_and_no_other():
    text = README.read_text(encoding="utf-8")
    paragraph = text[text.index("Flag reads recognised out of the box"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    listed = {n for n in re.findall(r"`([a-z_*]+)`", paragraph) if not n.startswith("_")}  # `_async` is a suffix
    patterns = {n: re.compile(n.replace("*", "[a-z]+") + "(_async)?") for n in listed}
    assert {m for m in DEFAULT_ACCESSORS if any(p.fullmatch(m) for p in patterns.values())} == set(DEFAULT_ACCESSORS)
    assert [n for n, p in patterns.items() if not any(p.fullmatch(m) for m in DEFAULT_ACCESSORS)] == []


def test_a_project_function_named_like_an_accessor_is_named_in_a_note(tmp_path):
    """A hand-written LaunchDarkly-style client is no SDK: its `variation` is read only when listed in
    `accessors`, and until then a note says so instead of every flag silently having no reads."""
    files = {"pay/__init__.py": "", "pay/service.py": """
        class Client:
            def variation(self, key, default):
                return default

        LD = Client()

        def handle():
            if LD.variation("pay.fast-path", False):
                return 1
    """}
    for name, extra, keys, noted in [("plain", "", [], True),
                                     ("listed", "[tool.knightwatch.flags]\naccessors = [\"pay.service.Client.variation\"]\n",
                                      ["pay.fast-path"], False)]:
        root = make_project(tmp_path / name, files, "[tool.knightwatch]\nsource = [\"pay\"]\n" + extra)
        result = CliRunner().invoke(main, ["flags", str(root), "--format", "json", "--no-cache"])
        assert [f["key"] for f in json.loads(result.stdout)["flags"]] == keys
        notes = CliRunner().invoke(main, ["check", str(root), "--format", "json", "--no-cache"])
        assert any(n.startswith("flags: pay.service.Client.variation is named like a flag SDK's accessor")
                   for n in json.loads(notes.stdout)["notes"]) == noted
