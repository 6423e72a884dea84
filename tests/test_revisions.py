"""Production coverage recorded at a release, read on a newer tree: real git repositories, real
coverage runs at two revisions (each host runs a deploy copy exported with `git archive`)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from knightwatch.cli import main
from knightwatch.production.linemap import line_map
from projects import check_json, git as _git

CONFIG = """\
[tool.knightwatch]
source = ["desk"]
entry-points = ["desk.main:main"]
coverage = ["prodcov/.coverage.*"]
[tool.knightwatch.safety]
sinks = ["desk.wire.send"]
"""

RELEASE_1 = {
    "desk/__init__.py": '"""Pricing desk."""\n',
    "desk/wire.py": '''\
"""The wire to the exchange."""

SENT = []


def send(order):
    SENT.append(order)
    return len(SENT)
''',
    "desk/quotes.py": '''\
"""Quotes: prices a request and sends it."""

from desk import wire


def price(qty, px):
    if qty > 100:
        return round(px * 0.99, 2)
    return px


def quote(qty, px):
    return wire.send((qty, price(qty, px)))


def legacy_quote(qty):
    return wire.send((qty, 0))
''',
    "desk/main.py": '''\
"""Entry point: quotes a fixed book; `--legacy` also sends a legacy quote."""

import sys

from desk import quotes


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    for qty in (10, 200):
        quotes.quote(qty, 1.5)
    if "--legacy" in args:
        quotes.legacy_quote(1)
    return 0


if __name__ == "__main__":
    main()
''',
}

HEADER = "# Copyright the desk authors.\n# SPDX-License-Identifier: MIT\n\n"


def _release_2(files: dict[str, str]) -> dict[str, str]:
    """A licence header on every module, a changed `quote` (it reaches the sink), a new module."""
    out = {path: HEADER + text for path, text in files.items()}
    out["desk/quotes.py"] = out["desk/quotes.py"].replace(
        "    return wire.send((qty, price(qty, px)))", "    tag = 'v2'\n    return wire.send((qty, price(qty, px), tag))")
    out["desk/audit.py"] = HEADER + '"""Audit trail (new in release 2)."""\n\n\ndef record(item):\n    return item\n'
    out["desk/main.py"] = out["desk/main.py"].replace(
        "        quotes.quote(qty, 1.5)\n", "        audit.record(quotes.quote(qty, 1.5))\n").replace(
        "from desk import quotes\n", "from desk import audit, quotes\n")
    return out


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _deploy_run(repo: Path, sha: str, host: str, out: Path, context: str | None = None) -> None:
    """Run `python -m desk.main` under coverage (branch) from a copy of the package at SHA."""
    deploy = repo.parent / "deploys" / f"{host}-{sha[:8]}"
    if not deploy.exists():
        deploy.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(repo), "archive", sha, "desk"], check=True,
                                 capture_output=True, timeout=60).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(deploy, filter="data")
    out.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "coverage", "run", "--branch", f"--data-file={out / f'.coverage.{host}'}"]
    subprocess.run(cmd + ([f"--context={context}"] if context else []) + ["-m", "desk.main"],
                   cwd=deploy, check=True, capture_output=True, timeout=120)


def _line(root: Path, path: str, line: int) -> str:
    return (root / path).read_text().splitlines()[line - 1].strip()


def _found(root: Path, report: dict) -> list[tuple[str, str, str, str]]:
    """Findings as (rule, severity, path, text of their line): what must survive a moved line."""
    return sorted((f["rule"], f["severity"], f["path"], _line(root, f["path"], f["line"])) for f in report["findings"])


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A repository at release 1 (tagged), three hosts that ran it, the findings then; then release 2
    committed, three hosts that ran release 2 and a straggler still on release 1, recording revisions."""
    base = tmp_path_factory.mktemp("released")
    repo = base / "repo"
    repo.mkdir()
    _write(repo, {**RELEASE_1, "pyproject.toml": CONFIG})
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "release 1")
    _git(repo, "tag", "release-1")
    sha1 = _git(repo, "rev-parse", "HEAD")
    for host in ("host-a", "host-b", "host-c"):
        _deploy_run(repo, sha1, host, repo / "prodcov")
    _, report, _ = check_json(repo, "--select", "KW101,KW401")  # the rules production coverage decides
    at_release = _found(repo, report)
    _write(repo, _release_2(RELEASE_1))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "release 2: licence headers, tagged quotes, audit trail")
    sha2 = _git(repo, "rev-parse", "HEAD")
    for host in ("host-d", "host-e", "host-f"):
        _deploy_run(repo, sha2, host, repo / "fleet", f"rev:{sha2}")
        _deploy_run(repo, sha2, host, repo / "fleet-inferred")
    _deploy_run(repo, sha1, "host-g", repo / "fleet", f"rev:{sha1}")
    _deploy_run(repo, sha1, "host-g", repo / "fleet-inferred")
    return repo, sha1, sha2, at_release


@pytest.fixture
def repo(released, tmp_path):
    """A private copy of the released repository (with its .git), with an uncommitted edit on top."""
    src, *_ = released
    root = tmp_path / "repo"
    shutil.copytree(src, root)
    main = root / "desk" / "main.py"
    main.write_text(main.read_text().replace("import sys\n", "import sys  # local edit\n\n# uncommitted\n"))
    return root


def test_release_data_is_carried_onto_a_tree_that_moved_on(released, repo):
    _, sha1, _, at_release = released
    assert [f[0] for f in at_release] == ["KW101"]  # legacy_quote never ran: dormant and reaches the send
    code, report, err = check_json(repo, "--select", "KW101,KW401")
    assert _found(repo, report) == at_release  # the same finding, moved with its line
    assert not any("different version" in n for n in report["notes"]) and err == ""
    (note,) = [n for n in report["notes"] if "revision" in n]
    assert note.startswith(f"3 hosts (host-a, host-b, host-c): revision {sha1[:10]} (inferred)")
    assert "added or changed since have no data" in note  # the new module and the changed lines: unknown


def test_a_tree_ahead_of_every_host_is_not_drift_and_new_code_is_not_dormant(repo):
    code, report, _ = check_json(repo, "--select", "KW101,KW401")
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("KW101", "desk/quotes.py")]
    assert "legacy_quote" in report["findings"][0]["message"]  # not desk.audit.record: new since release 1


@pytest.mark.parametrize("fleet, how", [("fleet", "recorded"), ("fleet-inferred", "inferred")])
def test_a_host_on_an_older_revision_is_named_with_what_differs(released, repo, fleet, how):
    _, sha1, sha2, _ = released
    code, report, _ = check_json(repo, "--coverage", f"{fleet}/.coverage.*", "--select", "KW401")
    (drift,) = report["findings"]
    assert drift["properties"]["host"] == "host-g" and drift["severity"] == "critical"
    assert drift["message"].startswith(f"host host-g ran revision {sha1[:10]} ({how}) while 3 host(s) ran "
                                       f"{sha2[:10]} ({how}): the code it executed differs in 2 file(s)")
    assert "changed code reaches a sink (desk.quotes.quote)" in drift["message"]
    assert (drift["path"], _line(repo, drift["path"], drift["line"])) == ("desk/quotes.py", "def quote(qty, px):")


def test_configured_revision_wins_and_a_bad_ref_is_one_line(repo):
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(CONFIG + '[tool.knightwatch.hosts]\ndefault = "release-1"\n')
    _, report, _ = check_json(repo)
    assert any(n.startswith("3 hosts (host-a, host-b, host-c): revision") and "(configured as 'release-1')" in n
               for n in report["notes"])
    pyproject.write_text(CONFIG + '[tool.knightwatch.hosts]\ndefault = "release-1"\nhost-b = "no-such-tag"\n')
    code, _, err = check_json(repo)
    assert code == 2 and err.strip().count("\n") == 0 and "'host-b': 'no-such-tag' names no commit" in err
    pyproject.write_text(CONFIG + '[tool.knightwatch.hosts]\ndefault = 12\n')
    code, _, err = check_json(repo)
    assert code == 2 and err.strip().count("\n") == 0 and "'default' must be a git revision" in err


def test_a_renamed_module_keeps_its_data(repo):
    _git(repo, "mv", "desk/quotes.py", "desk/pricing.py")
    for rel in ("desk/main.py", "desk/pricing.py"):
        (repo / rel).write_text((repo / rel).read_text().replace("quotes", "pricing"))
    code, report, _ = check_json(repo, "--select", "KW101")
    assert [(f["path"], _line(repo, f["path"], f["line"])) for f in report["findings"]] == \
        [("desk/pricing.py", "def legacy_quote(qty):")]
    assert not any("match no analysed file" in n for n in report["notes"])


def test_without_git_the_note_says_how_to_record_revisions(repo):
    shutil.rmtree(repo / ".git")
    code, report, _ = check_json(repo, "--select", "KW101,KW401")
    assert report["findings"] == []  # every module's data is inconsistent with its text: unknown, not drift
    unknown = [n for n in report["notes"] if "production coverage is unknown" in n]
    assert len(unknown) == 4 and all("--context=rev:" in n for n in unknown)


def test_line_map_moves_lines_and_arcs_and_marks_new_lines_unknown():
    old = RELEASE_1["desk/quotes.py"]
    new = _release_2(RELEASE_1)["desk/quotes.py"]
    lm = line_map(old, new)
    shift = HEADER.count("\n")
    assert lm.lines({1, 6, 7}) == {1 + shift, 6 + shift, 7 + shift}
    assert lm.arcs({(-1, 1), (-6, 7), (7, -6), (13, -12)}) == {(-1, 1 + shift), (-6 - shift, 7 + shift),
                                                                (7 + shift, -6 - shift)}  # line 13 changed
    assert sorted(lm.unknown) == [1, 2, 13 + shift, 14 + shift]


@pytest.mark.parametrize("in_git", [False, True])
def test_smars_baseline_survives_an_edit_above_everything(smars_dir, tmp_path, in_git):
    """The acceptance scenario: baseline, insert a comment as line 1 of a covered module, check."""
    root = tmp_path / "smars"
    shutil.copytree(smars_dir, root, ignore=shutil.ignore_patterns(".knightwatch_cache", "__pycache__"))
    if in_git:
        _git(root, "init", "-q")
        _git(root, "add", "-A")
        _git(root, "commit", "-qm", "release 4.12.0")
    _, report, _ = check_json(root)
    before = _found(root, report)
    assert CliRunner().invoke(main, ["baseline", str(root), "--output", str(root / "b.json")]).exit_code == 0
    first = next(p for p in sorted(root.glob("smars/**/*.py")) if "def " in p.read_text())
    first.write_text("# an edit above everything\n" + first.read_text())
    code, report, err = check_json(root, "--baseline", str(root / "b.json"))
    assert code == 0 and "Traceback" not in err and all(f["suppressed"] for f in report["findings"])
    _, report, _ = check_json(root)
    unknown = [n for n in report["notes"] if "production coverage is unknown" in n]
    if in_git:  # carried by the diff: the same findings, moved with their lines
        assert _found(root, report) == before and unknown == []
    else:  # the tree moved on: that file's data is unknown, one note saying how to record revisions
        (note,) = unknown
        assert first.relative_to(root).as_posix() in note and "--context=rev:" in note
