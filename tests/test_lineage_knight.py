"""The history form of the Knight scenario: a real git repository built from the SMARS fixture.

Release smars-2012.07 reads `routing.mode-7` in the router, where it wakes Power Peg (the RLP pilot
has a key of its own); release smars-2012.08.01 deletes Power Peg and re-points RLP_ENABLED at
`routing.mode-7`. nyc-smars-08 really ran release 2012.07 under coverage.py (from a `git archive`
of it, with legacy order types on), the seven others ran 2012.08.01. At HEAD only one code path
reads the key, so only the history shows it was recycled.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from expectations import actual_findings, expected_findings
from projects import check_json, git as _git

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import generate_coverage as smars_day  # noqa: E402  (the fixture's own recorder: same servers, same config)

RELEASES = """
[tool.knightwatch.releases]
tags = "smars-*"
"""
EXPECT = re.compile(r"\s*# expect:[^\n]*")
OLD, NEW = "smars-2012.07", "smars-2012.08.01"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def _release_old(repo: Path) -> None:
    """2012.07: the fixture with the RLP pilot on a key of its own; the router's Power Peg branch reads mode-7."""
    _edit(repo / "smars" / "flags.py", 'RLP_ENABLED = "routing.mode-7"', 'RLP_ENABLED = "routing.rlp-pilot"')
    _edit(repo / "flags.toml", '[flags."routing.mode-7"]\nowner = "rlp-team"',
          '[flags."routing.rlp-pilot"]\nowner = "rlp-team"\nkind = "release"\ncreated = 2012-06-18\n\n'
          '[flags."routing.mode-7"]\nowner = "order-types"')


def _release_new(repo: Path) -> None:
    """2012.08.01: Power Peg deleted, its router branch gone, RLP re-pointed at routing.mode-7."""
    _edit(repo / "smars" / "flags.py", 'RLP_ENABLED = "routing.rlp-pilot"', 'RLP_ENABLED = "routing.mode-7"')
    _edit(repo / "flags.toml", '[flags."routing.rlp-pilot"]\nowner = "rlp-team"\nkind = "release"\n'
          'created = 2012-06-18\n\n[flags."routing.mode-7"]\nowner = "order-types"',
          '[flags."routing.mode-7"]\nowner = "rlp-team"')
    (repo / "smars" / "legacy" / "power_peg.py").unlink()
    router = repo / "smars" / "router.py"
    _edit(router, "from smars.legacy import power_peg\nfrom smars.legacy.power_peg import PEG_ORDERS\n", "")
    _edit(router, '''        if parent.retail and self.legacy_order_types and self.flags.is_on(PEG_ORDERS):
            power_peg.execute(parent, self.market, self.gateways["XNYS"])
            return
''', "")
    _edit(repo / "smars" / "rlp.py", "and self.flags.is_on(RLP_ENABLED):",
          "and self.flags.is_on(RLP_ENABLED):  # expect: KW201 critical")


def _trade_day(repo: Path, sha: str, host: str, out: Path) -> subprocess.Popen:
    """HOST's trading day under coverage from a deploy of release SHA, recording the revision it ran."""
    release = repo.parent / "deploy" / host / sha[:10]
    release.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(repo), "archive", sha, "smars"], check=True, capture_output=True,
                             timeout=60).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(release, filter="data")
    (release / "smars.json").write_text(json.dumps(smars_day.deploy_config(host)))
    args = [f"--context=rev:{sha}", "-m", "smars.server", "--host", host, "--config", str(release / "smars.json"),
            "--seed", str(smars_day.SERVERS[host][0])]
    return smars_day.under_coverage(args, release, out / f".coverage.{host}")


@pytest.fixture(scope="module")
def knight(tmp_path_factory):
    base = tmp_path_factory.mktemp("knight")
    repo = base / "smars"
    shutil.copytree(FIXTURES / "smars", repo, ignore=shutil.ignore_patterns("prodcov", "__pycache__"))
    for path in list(repo.rglob("*.py")) + [repo / "flags.toml"]:
        path.write_text(EXPECT.sub("", path.read_text()))  # the same-tree expectations do not hold here
    _edit(repo / "pyproject.toml", "[tool.knightwatch.flags]", RELEASES.strip() + "\n[tool.knightwatch.flags]")
    _release_old(repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "SMARS 2012.07")
    _git(repo, "tag", OLD)
    _release_new(repo)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "SMARS 2012.08.01: Retail Liquidity Program; Power Peg deleted")
    _git(repo, "tag", NEW)
    shas = {OLD: _git(repo, "rev-parse", OLD), NEW: _git(repo, "rev-parse", NEW)}
    out = repo / "prodcov"
    out.mkdir()
    smars_day.wait_for({host: _trade_day(repo, shas[OLD if host == smars_day.MISSED else NEW], host, out)
                        for host in smars_day.SERVERS})
    return repo


def test_the_recycled_flag_is_found_in_history_with_the_straggler_named(knight):
    code, report, err = check_json(knight, "--select", "KW201")
    assert code == 1 and "power_peg.py); not joined" in err  # the straggler ran a file HEAD no longer has
    assert actual_findings(report["findings"]) == expected_findings(knight)
    (f,) = report["findings"]
    props = f["properties"]
    assert props["change"] == "re-purposed" and props["flag"] == "routing.mode-7"
    assert props["old_releases"] == [OLD] and props["new_releases"] == [NEW, "working tree"]
    assert props["old_hosts"] == ["nyc-smars-08"]
    assert props["new_hosts"] == [f"nyc-smars-0{n}" for n in range(1, 8)]
    assert props["old_meaning"] == ["smars.legacy.power_peg.execute"]
    assert "smars.rlp.RetailLiquidityRouter._improved_price" in props["new_meaning"]
    assert "reaching smars.venues.Gateway.send" in f["message"] and "owner order-types" in f["message"]


def test_the_old_path_is_a_sarif_code_flow(knight, tmp_path):
    from click.testing import CliRunner

    from knightwatch.cli import main

    out = tmp_path / "kw.sarif"
    CliRunner().invoke(main, ["check", str(knight), "--no-cache", "--select", "KW201", "--format", "sarif",
                              "--output", str(out)])
    (result,) = json.loads(out.read_text())["runs"][0]["results"]
    steps = [s["location"]["message"]["text"] for s in result["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert steps[0] == f"in {OLD}: reads 'routing.mode-7' via PEG_ORDERS in smars.router.SmartOrderRouter.route"
    assert steps[1] == f"in {OLD}: gates a call to smars.legacy.power_peg.execute"
    assert steps[-2] == f"in {OLD}: reaches the sink smars.venues.Gateway.send"
    assert steps[-1].startswith("now reads 'routing.mode-7' via RLP_ENABLED")


def test_the_audit_shows_the_flag_release_by_release_with_its_hosts(knight, tmp_path):
    from click.testing import CliRunner

    from knightwatch.cli import main

    page = tmp_path / "audit.html"
    done = CliRunner().invoke(main, ["audit", str(knight), "--no-cache", "--output", str(page)])
    assert done.exit_code == 0, done.output
    lineage = json.loads(page.with_suffix(".json").read_text())["lineage"]
    assert [(r["name"], r["hosts"]) for r in lineage["releases"]] == [
        (OLD, ["nyc-smars-08"]), (NEW, [f"nyc-smars-0{n}" for n in range(1, 8)]), ("working tree", [])]
    (mode7,) = [f["timeline"] for f in lineage["flags"] if f["key"] == "routing.mode-7"]
    assert [(t["release"], t["change"], t["gated"], t["owner"]) for t in mode7] == [
        (OLD, "added", ["smars.legacy.power_peg.execute"], "order-types"),
        (NEW, "re-purposed (different functions)", ["smars.rlp.RetailLiquidityRouter._improved_price",
                                                    "smars.orders.ParentOrder.child"], "rlp-team"),
        ("working tree", "unchanged", ["smars.rlp.RetailLiquidityRouter._improved_price",
                                       "smars.orders.ParentOrder.child"], "rlp-team")]
    (pilot,) = [[t["change"] for t in f["timeline"]] for f in lineage["flags"] if f["key"] == "routing.rlp-pilot"]
    assert pilot == ["added", "retired", "absent"]
    html = page.read_text()
    assert '<section id="lineage"><h2>Flag lineage</h2>' in html and "re-purposed (different functions)" in html
