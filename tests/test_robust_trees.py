"""Real trees: the interpreter's whole stdlib (tests and deliberately broken files included) and a
real trading codebase from PyPI, through the real CLI: no traceback, no file lost, and exactly one
KW000 finding for every file Python cannot compile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from test_robust_fuzz import load_fuzz

TRADING_WHEEL = "freqtrade==2026.9"


def _check(project: Path, report: Path) -> dict:
    """`knightwatch check PROJECT` in a subprocess (process pool and all): the JSON report."""
    proc = subprocess.run([sys.executable, "-m", "knightwatch", "check", str(project), "--format", "json",
                           "-o", str(report), "--no-cache", "--no-progress"],
                          capture_output=True, text=True, timeout=1800)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(report.read_text(encoding="utf-8"))


def _assert_every_file_accounted(report: dict, files: dict[str, bytes]) -> None:
    """Every .py file was analysed, and KW000 is reported exactly for the ones Python refuses."""
    assert report["summary"]["files"] == len(files)
    expected_kw000 = load_fuzz().expected_kw000  # an oracle that does not use knightwatch's reader
    kw000 = Counter(f["path"] for f in report["findings"] if f["rule"] == "KW000")
    assert set(kw000.values()) <= {1}, "a file got more than one KW000"
    for rel, data in files.items():
        want = expected_kw000(data)
        got = kw000.get(rel, 0)
        assert got in want or "nested too deeply" in _kw000_message(report, rel), (rel, got, want)
    assert set(kw000) <= set(files)


def _kw000_message(report: dict, rel: str) -> str:
    return " ".join(f["message"] for f in report["findings"] if f["rule"] == "KW000" and f["path"] == rel)


def _py_files(top: Path, prefix: str, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    found = {}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in skip and d != "__pycache__"]
        for name in filenames:
            if name.endswith(".py"):
                path = Path(dirpath, name)
                found[f"{prefix}/{path.relative_to(top).as_posix()}"] = path.read_bytes()
    return found


@pytest.mark.slow
def test_whole_stdlib_with_its_tests_and_broken_files(tmp_path):
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    project = tmp_path / "std"
    project.mkdir()
    (project / "Lib").symlink_to(stdlib, target_is_directory=True)
    (project / "pyproject.toml").write_text('[tool.knightwatch]\nexclude = ["Lib/site-packages", "Lib/dist-packages"]\n')
    files = _py_files(stdlib, "Lib", skip=("site-packages", "dist-packages"))
    broken = {rel for rel in files if "/badsyntax_" in rel or rel.endswith(("/bad_coding.py", "/bad_coding2.py"))}
    assert broken, "the stdlib of this interpreter ships no deliberately broken files"

    report = _check(project, tmp_path / "report.json")

    _assert_every_file_accounted(report, files)
    reported = {f["path"] for f in report["findings"] if f["rule"] == "KW000"}
    assert broken <= reported  # syntax errors, bad cookies, misplaced or unknown __future__ imports
    assert any(f["rule"] != "KW000" for f in report["findings"])  # and the rest was analysed


def _download_wheel(tmp_path: Path) -> Path:
    """The trading codebase's pure-Python wheel (its .py sources; unlike an sdist, fetching it runs no
    build step). Skips when PyPI cannot be reached, unless running on CI."""
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--only-binary", ":all:", "--no-deps",
                           "--disable-pip-version-check", "-q", "-d", str(tmp_path), TRADING_WHEEL],
                          capture_output=True, text=True, timeout=600)
    wheels = sorted(tmp_path.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        reason = f"cannot download {TRADING_WHEEL}: {(proc.stderr.strip().splitlines() or ['?'])[-1]}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return wheels[0]


@pytest.mark.slow
def test_real_trading_codebase_from_pypi(tmp_path):
    wheel = _download_wheel(tmp_path / "download")
    project = tmp_path / "freqtrade"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(project)
    (project / "pyproject.toml").write_text(
        '[tool.knightwatch]\nentry-points = ["freqtrade.main:main"]\n'
        "[tool.knightwatch.safety]\n"
        'sinks = ["freqtrade.exchange.exchange.Exchange.create_order"]\n'
        'breakers = ["freqtrade.freqtradebot.FreqtradeBot._check_depth_of_market"]\n')
    files = _py_files(project / "freqtrade", "freqtrade")
    assert len(files) > 100

    report = _check(project, tmp_path / "report.json")

    _assert_every_file_accounted(report, files)
    assert not [n for n in report["notes"] if "skipped" in n and "KW301" in n]  # the safety rule ran
    assert report["summary"]["by_rule"].get("KW102", 0) > 0
