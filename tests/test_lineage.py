"""Flag lineage on a real git history of a project unlike SMARS: a src/ layout, LaunchDarkly-style
`client.variation(...)` reads with literal keys, free functions, four tagged releases.

v1 -> v2: `billing.new-invoices`'s function edited; `exp.legacy-export` leaves the code and registry.
v2 -> v3: that function renamed and moved to another module; `payments.fast-path` re-pointed from
          settlement (which reaches the bank) to a notification digest; `payments.instant`'s
          function edited in place to call another sink.
v3 -> v4: `exp.legacy-export` comes back gating another export.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from knightwatch.analysis import analyse
from knightwatch.source.cache import Cache
from knightwatch.config import load_config
from projects import check_json, git as _git

CONFIG = """\
[project]
name = "ledger"

[tool.knightwatch]
source = ["src"]
entry-points = ["ledger.app:run"]
[tool.knightwatch.flags]
registry = "flags.toml"
[tool.knightwatch.safety]
sinks = ["ledger.bank.transfer", "ledger.bank.refund"]
[tool.knightwatch.releases]
"""

V1 = {
    "flags.toml": """\
        [flags."billing.new-invoices"]
        owner = "billing"
        [flags."payments.fast-path"]
        owner = "payments"
        [flags."exp.legacy-export"]
        owner = "data"
        """,
    "src/ledger/__init__.py": "",
    "src/ledger/bank.py": """\
        def transfer(account, cents):
            print("wire", account, cents)


        def refund(account, cents):
            print("refund", account, cents)
        """,
    "src/ledger/invoices.py": """\
        def render_v2(invoice):
            lines = [f"{k}: {v}" for k, v in sorted(invoice.items())]
            header = "INVOICE"
            return "\\n".join([header, *lines])


        def render_v1(invoice):
            return str(invoice)
        """,
    "src/ledger/settle.py": """\
        from ledger import bank


        def batch_settle(batch):
            total = sum(cents for _, cents in batch)
            for account, cents in batch:
                bank.transfer(account, cents)
            return total


        def slow_settle(batch):
            return len(batch)


        def instant(batch):
            for account, cents in batch:
                bank.transfer(account, cents)
        """,
    "src/ledger/export.py": """\
        import csv
        import io


        def csv_dump(rows):
            out = io.StringIO()
            csv.writer(out).writerows(rows)
            return out.getvalue()
        """,
    "src/ledger/app.py": """\
        import ldclient

        from ledger import export, invoices, settle

        client = ldclient.get()


        def run(ctx, batch, invoice, rows):
            if client.variation("billing.new-invoices", ctx, False):
                invoices.render_v2(invoice)
            else:
                invoices.render_v1(invoice)
            if client.variation("payments.fast-path", ctx, False):
                settle.batch_settle(batch)
            else:
                settle.slow_settle(batch)
            if client.variation("payments.instant", ctx, False):
                settle.instant(batch)
            if client.variation("exp.legacy-export", ctx, False):
                export.csv_dump(rows)
        """,
}


def _v2(files: dict[str, str]) -> dict[str, str]:
    """The invoice renderer edited; the legacy export retired from code and registry."""
    out = dict(files)
    out["src/ledger/invoices.py"] = files["src/ledger/invoices.py"].replace(
        'header = "INVOICE"', 'header = "INVOICE " + invoice.get("id", "?")')
    out["src/ledger/app.py"] = files["src/ledger/app.py"].replace("""\
            if client.variation("exp.legacy-export", ctx, False):
                export.csv_dump(rows)
        """, "").replace("export, invoices, settle", "invoices, settle")
    out["flags.toml"] = files["flags.toml"].replace('[flags."exp.legacy-export"]\n        owner = "data"\n', "")
    return out


def _v3(files: dict[str, str]) -> dict[str, str]:
    """The renderer renamed and moved to ledger/render.py; the fast path re-pointed at notifications;
    instant payments edited in place to refund instead of transfer."""
    out = dict(files)
    body = files["src/ledger/invoices.py"]
    new_render = body[:body.index("def render_v1")].replace("def render_v2", "def render_modern").rstrip() + "\n"
    out["src/ledger/invoices.py"] = body[body.index("def render_v1"):]
    out["src/ledger/render.py"] = new_render
    head, _, tail = files["src/ledger/settle.py"].rpartition("bank.transfer(")  # `instant`'s, edited
    out["src/ledger/settle.py"] = head + "bank.refund(" + tail
    out["src/ledger/notify.py"] = """\
        def send_digest(batch):
            subject = f"{len(batch)} payments queued"
            return [subject, *(account for account, _ in batch)]
        """
    out["src/ledger/app.py"] = files["src/ledger/app.py"].replace(
        "invoices.render_v2(invoice)", "render.render_modern(invoice)").replace(
        "settle.batch_settle(batch)", "notify.send_digest(batch)").replace(
        "from ledger import invoices, settle", "from ledger import invoices, notify, render, settle")
    return out


def _v4(files: dict[str, str]) -> dict[str, str]:
    """The retired key back, gating a new parquet upload."""
    out = dict(files)
    out["src/ledger/upload.py"] = """\
        def parquet_upload(rows, bucket="exports"):
            table = {"rows": list(rows)}
            return bucket, table
        """
    out["src/ledger/app.py"] = files["src/ledger/app.py"].replace(
        "from ledger import invoices,", "from ledger import upload, invoices,") + """\
            if client.variation("exp.legacy-export", ctx, False):
                upload.parquet_upload(rows)
        """
    out["flags.toml"] = files["flags.toml"] + '        [flags."exp.legacy-export"]\n        owner = "platform"\n'
    return out


def _commit(repo: Path, files: dict[str, str], message: str, tag: str | None) -> None:
    for path in repo.joinpath("src").rglob("*.py"):
        path.unlink()
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(textwrap.dedent(text))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", message)
    if tag:
        _git(repo, "tag", tag)


def _history(repo: Path, config: str) -> Path:
    repo.mkdir()
    (repo / "pyproject.toml").write_text(config)
    _git(repo, "init", "-q")
    files = V1
    for n, step in enumerate((None, _v2, _v3, _v4), start=1):
        files = step(files) if step else files
        _commit(repo, files, f"ledger v{n}", f"v{n}")
        bank = files["src/ledger/bank.py"] + f"\n\n        # release {n}: transfers are in cents\n"
        _commit(repo, files | {"src/ledger/bank.py": bank}, f"docs for v{n}", None)  # touches no flag read
    return repo


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    return _history(tmp_path_factory.mktemp("lineage") / "ledger", CONFIG + 'tags = "v*"\n')


@pytest.fixture(scope="module")
def untagged(tmp_path_factory):
    return _history(tmp_path_factory.mktemp("lineage") / "ledger", CONFIG + "max = 8\n")


def _by_flag(report: dict) -> dict[str, dict]:
    return {f["properties"]["flag"]: f for f in report["findings"] if f["rule"] == "KW201"}


def test_a_re_pointed_key_is_found_and_edited_renamed_moved_code_is_not(tagged):
    code, report, err = check_json(tagged, "--select", "KW201")
    assert err == "" and code == 1
    found = _by_flag(report)
    assert sorted(found) == ["exp.legacy-export", "payments.fast-path", "payments.instant"]  # not billing.new-invoices
    fast = found["payments.fast-path"]
    assert fast["properties"]["change"] == "re-purposed"
    assert fast["properties"]["old_releases"] == ["v1", "v2"]
    assert fast["properties"]["new_releases"] == ["v3", "v4", "working tree"]
    assert fast["properties"]["old_meaning"] == ["ledger.settle.batch_settle"]
    assert fast["properties"]["new_meaning"] == ["ledger.notify.send_digest"]
    assert fast["severity"] == "critical"  # the old code reached the bank
    assert (fast["path"], fast["line"]) == ("src/ledger/app.py", 13)
    assert [s["message"] for s in fast["trace"]][-2] == "in v2: reaches the sink ledger.bank.transfer"


def test_the_same_function_edited_to_reach_another_sink_is_a_change_of_meaning(tagged):
    _, report, _ = check_json(tagged, "--select", "KW201")
    instant = _by_flag(report)["payments.instant"]
    assert instant["properties"]["old_meaning"] == instant["properties"]["new_meaning"] == ["ledger.settle.instant"]
    assert instant["message"].startswith("flag 'payments.instant' was re-purposed (different sinks): in v1, v2 it "
                                         "gated ledger.settle.instant (reaching ledger.bank.transfer)")
    assert instant["severity"] == "critical"


def test_a_key_retired_then_reused_is_reported_as_reuse(tagged):
    _, report, _ = check_json(tagged, "--select", "KW201")
    reused = _by_flag(report)["exp.legacy-export"]
    assert reused["properties"]["change"] == "reused-after-retirement"
    assert reused["severity"] == "high"  # no host runs v1, and the CSV dump moved no money
    assert reused["message"].startswith("flag 'exp.legacy-export' was retired in v2 and reused in v4 with another "
                                        "meaning (different functions): in v1 it gated ledger.export.csv_dump, "
                                        "owner data, on no host with coverage; in v4, working tree it gates "
                                        "ledger.upload.parquet_upload, owner platform")


def test_without_tags_the_commits_that_touched_flag_reads_are_the_releases(untagged):
    _, report, _ = check_json(untagged, "--select", "KW201")
    found = _by_flag(report)
    assert sorted(found) == ["exp.legacy-export", "payments.fast-path", "payments.instant"]
    shas = _git(untagged, "log", "--format=%h", "--abbrev=10", "--grep=^ledger v", "--reverse").split()
    assert found["payments.fast-path"]["properties"]["old_releases"] == shas[:2]  # the docs commits are not releases


def test_lineage_is_cached_per_release_and_per_file(tagged, tmp_path):
    config = load_config(tagged)
    first = analyse(config, cache=Cache(tmp_path)).lineage
    assert [r.name for r in first.releases] == ["v1", "v2", "v3", "v4", "working tree"]
    assert first.cached == 0 and 0 < first.summarised < 4 * 8  # files unchanged since a release are summarised once
    second = analyse(config, cache=Cache(tmp_path)).lineage
    assert second.cached == 4 and second.summarised == 0
    assert [r.meanings for r in second.releases] == [r.meanings for r in first.releases]


def test_the_timeline_says_what_each_release_gated(tagged):
    lineage = analyse(load_config(tagged)).lineage
    gated = [(r.name, m and [g.qname for g in m.gated]) for r, m in lineage.timeline("billing.new-invoices")]
    assert gated == [("v1", ["ledger.invoices.render_v2"]), ("v2", ["ledger.invoices.render_v2"]),
                     ("v3", ["ledger.render.render_modern"]), ("v4", ["ledger.render.render_modern"]),
                     ("working tree", ["ledger.render.render_modern"])]
    assert [m is None for _, m in lineage.timeline("exp.legacy-export")] == [False, True, True, False, False]


def test_the_audit_timeline_names_each_step(tagged, tmp_path):
    from click.testing import CliRunner

    from knightwatch.cli import main

    page = tmp_path / "audit.md"
    assert CliRunner().invoke(main, ["audit", str(tagged), "--no-cache", "--format", "markdown",
                                     "--output", str(page)]).exit_code == 0
    lineage = json.loads(page.with_suffix(".json").read_text())["lineage"]
    steps = {f["key"]: [t["change"] for t in f["timeline"]] for f in lineage["flags"]}
    assert steps == {
        "billing.new-invoices": ["added", "edited", "renamed or moved", "unchanged", "unchanged"],
        "exp.legacy-export": ["added", "retired", "absent", "reused (different functions)", "unchanged"],
        "payments.fast-path": ["added", "unchanged", "re-purposed (different functions)", "unchanged", "unchanged"],
        "payments.instant": ["added", "unchanged", "re-purposed (different sinks)", "unchanged", "unchanged"]}
    text = page.read_text()
    assert "## Flag lineage" in text and "| v3 | — | renamed or moved | `ledger.render.render_modern` |" in text


def test_a_pattern_that_matches_no_tag_is_a_note(tagged, tmp_path):
    repo = tmp_path / "ledger"
    shutil.copytree(tagged, repo)
    (repo / "pyproject.toml").write_text(CONFIG + 'tags = "release-*"\n')
    code, report, _ = check_json(repo, "--select", "KW201")
    assert code == 0 and report["findings"] == []
    assert "flag lineage: no tag matches 'release-*'; only the hosts' revisions and the working tree are compared" \
        in report["notes"]


def test_findings_across_releases_already_there_at_a_baseline_ref_are_not_new(tagged):
    code, report, _ = check_json(tagged, "--select", "KW201", "--baseline-ref", "v4")
    assert code == 0 and report["findings"] == []
    assert "--baseline-ref v4: 3 finding(s) already present there not reported" in report["notes"]
    _, report, _ = check_json(tagged, "--select", "KW201", "--baseline-ref", "v2")
    assert sorted(_by_flag(report)) == ["exp.legacy-export", "payments.fast-path", "payments.instant"]


def test_releases_outside_git_or_with_a_bad_bound_are_one_line_errors(tmp_path):
    plain = tmp_path / "plain"
    (plain / "src" / "ledger").mkdir(parents=True)
    (plain / "src" / "ledger" / "bank.py").write_text(textwrap.dedent(V1["src/ledger/bank.py"]))
    (plain / "pyproject.toml").write_text(CONFIG.replace('entry-points = ["ledger.app:run"]\n', "")
                                          .replace('registry = "flags.toml"\n', ""))
    code, _, err = check_json(plain, "--select", "KW201")
    assert code == 2 and err.strip().endswith("[tool.knightwatch.releases] needs the project in a git repository "
                                              "with commits") and len(err.strip().splitlines()) == 1
    (plain / "pyproject.toml").write_text(CONFIG + "max = 0\n")
    code, _, err = check_json(plain, "--select", "KW201")
    assert code == 2 and "'max' must be a positive number of releases" in err
