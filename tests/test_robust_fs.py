"""The filesystem as found: symlink loops, files that cannot be read, foreign encodings, huge generated
files, odd names. Every .py file is analysed, reported as KW000, or named in a note; nothing hangs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import quote

import pytest

from projects import check_json, make_project

DEAD = "def unused():\n    return 'x'\n"


def _findings(report: dict, rule: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in report["findings"]:
        if f["rule"] == rule:
            out.setdefault(f["path"], []).append(f)
    return out


def test_symlink_loops_end_and_are_named(tmp_path):
    root = make_project(tmp_path, {"pkg/__init__.py": "", "pkg/mod.py": DEAD})
    (root / "pkg" / "up").symlink_to("..", target_is_directory=True)
    (root / "a").mkdir()
    (root / "b").mkdir()
    (root / "a" / "to_b").symlink_to("../b", target_is_directory=True)
    (root / "b" / "to_a").symlink_to("../a", target_is_directory=True)

    code, report, stderr = check_json(root)

    assert code == 1, stderr
    assert report["summary"]["files"] == 2
    assert list(_findings(report, "KW102")) == ["pkg/mod.py"]
    assert "pkg/up: symlink to . in the same tree, analysed there" in report["notes"]
    assert "a/to_b: symlink to b in the same tree, analysed there" in report["notes"]
    assert "b/to_a: symlink to a in the same tree, analysed there" in report["notes"]


def test_a_symlink_loop_outside_the_tree_ends(tmp_path):
    outside = tmp_path / "outside"
    (outside / "deeper").mkdir(parents=True)
    (outside / "deeper" / "back").symlink_to(outside, target_is_directory=True)
    (outside / "deeper" / "lib.py").write_text(DEAD)
    root = make_project(tmp_path / "proj", {"main.py": DEAD})
    (root / "vendored").symlink_to(outside, target_is_directory=True)

    _, report, _ = check_json(root)

    assert set(_findings(report, "KW102")) == {"main.py", "vendored/deeper/lib.py"}
    assert "vendored/deeper/back: directory reached twice (symlink loop?), skipped" in report["notes"]


def test_files_that_cannot_be_read_never_hang_and_are_named(tmp_path):
    root = make_project(tmp_path, {"ok.py": DEAD, "pkg.py/inner.py": DEAD})
    os.mkfifo(root / "fifo.py")  # reading it would block for ever
    (root / "zero.py").symlink_to("/dev/zero")  # reading it would never end
    (root / "dangling.py").symlink_to("gone.py")

    proc = subprocess.run([sys.executable, "-m", "knightwatch", "check", str(root), "--format", "json",
                           "--no-cache", "--no-progress"], capture_output=True, text=True, timeout=120)

    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert "fifo.py: not a regular file (a FIFO, socket or device), not analysed" in report["notes"]
    assert "zero.py: not a regular file (a FIFO, socket or device), not analysed" in report["notes"]
    (dangling,) = _findings(report, "KW000")["dangling.py"]
    assert dangling["message"] == "cannot analyse dangling.py: cannot read file: No such file or directory"
    assert set(_findings(report, "KW102")) == {"ok.py", "pkg.py/inner.py"}  # a directory named *.py is walked


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_permission_denied_is_a_parse_error(tmp_path):
    root = make_project(tmp_path, {"secret.py": DEAD})
    (root / "secret.py").chmod(0)
    try:
        _, report, _ = check_json(root)
    finally:
        (root / "secret.py").chmod(0o644)
    (f,) = _findings(report, "KW000")["secret.py"]
    assert "cannot read file: Permission denied" in f["message"]


def test_foreign_encodings_with_and_without_a_coding_cookie(tmp_path):
    root = make_project(tmp_path, {})
    (root / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\ndef caf\xe9():\n    return 'cr\xe8me'\n")
    (root / "cp1252.py").write_bytes(b"# vim: set fileencoding=cp1252 :\nPRICE = '\x80 5'\n\ndef quote():\n    return PRICE\n")
    (root / "bom.py").write_bytes(b"\xef\xbb\xbf" + DEAD.encode())
    (root / "no_cookie.py").write_bytes(b"def f():\n    pass\n\ns = 'caf\xe9'\n")
    (root / "bad_cookie.py").write_bytes(b"# coding: klingon\nx = 1\n")
    (root / "bom_cookie.py").write_bytes(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")
    (root / "nul.py").write_bytes(b"x = 1\ny = '\x00'\n")

    _, report, _ = check_json(root)

    dead = _findings(report, "KW102")
    assert dead["latin.py"][0]["snippet"] == "def café():"
    assert dead["cp1252.py"][0]["symbol"] == "cp1252.quote"
    assert "bom.py" in dead
    errors = {path: f["message"] for path, (f,) in _findings(report, "KW000").items()}
    assert set(errors) == {"no_cookie.py", "bad_cookie.py", "bom_cookie.py", "nul.py"}
    assert "not valid utf-8 (byte 0xe9)" in errors["no_cookie.py"] and "coding cookie" in errors["no_cookie.py"]
    assert _findings(report, "KW000")["no_cookie.py"][0]["line"] == 4
    assert "klingon" in errors["bad_cookie.py"]
    assert "null bytes" in errors["nul.py"] and _findings(report, "KW000")["nul.py"][0]["line"] == 2


def test_huge_generated_files_are_limited_and_reported(tmp_path):
    root = make_project(tmp_path, {"small.py": DEAD}, "[tool.knightwatch]\nmax-file-size = 4000\n")
    (root / "generated.py").write_text("TABLE = [\n" + "    (1, 2, 3),\n" * 1000 + "]\n")

    _, report, _ = check_json(root)

    (f,) = _findings(report, "KW000")["generated.py"]
    assert "file is 15,012 bytes, over the 4,000-byte limit (max-file-size); not analysed" in f["message"]
    assert "small.py" in _findings(report, "KW102")


def test_default_limit_stops_a_multi_megabyte_file(tmp_path):
    root = make_project(tmp_path, {"small.py": DEAD})
    (root / "blob.py").write_text("x = 1\n" * 400_000)  # 2.4 MB

    _, report, _ = check_json(root)

    (f,) = _findings(report, "KW000")["blob.py"]
    assert "over the 2,000,000-byte limit (max-file-size)" in f["message"]


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "gitlab", "github", "junit", "markdown"])
def test_paths_with_spaces_and_unicode(tmp_path, fmt):
    root = make_project(tmp_path, {"my pkg/__init__.py": "", "my pkg/ünï cödé.py": DEAD, "日本/取引.py": DEAD})
    (root / os.fsdecode(b"bad\xffname.py")).write_text(DEAD)
    out = tmp_path / f"report.{fmt}"

    proc = subprocess.run([sys.executable, "-m", "knightwatch", "check", str(root), "--format", fmt, "-o", str(out),
                           "--no-cache", "--no-progress"], capture_output=True, text=True, timeout=120)

    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        report = json.loads(text)
        assert set(_findings(report, "KW102")) == {"my pkg/ünï cödé.py", "日本/取引.py"}
        assert "bad\\xffname.py: file name is not valid UTF-8, not analysed" in report["notes"]
    elif fmt == "sarif":
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(text)["runs"][0]["results"]}
        assert uris == {quote("my pkg/ünï cödé.py"), quote("日本/取引.py")}
    else:  # as written, JSON-escaped or URL-quoted, but there
        for path in ("my pkg/ünï cödé.py", "日本/取引.py"):
            assert any(form in text for form in (path, json.dumps(path)[1:-1], quote(path))), (fmt, path)


def test_virtualenvs_are_skipped_but_a_package_named_venv_is_not(tmp_path):
    root = make_project(tmp_path, {"venv/__init__.py": "", "venv/core.py": DEAD, "build/__init__.py": "",
                                   "build/steps.py": DEAD, "env/lib/site.py": DEAD, "build_out/x.py": DEAD})
    (root / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (root / "dist").mkdir()
    (root / "dist" / "copy.py").write_text(DEAD)

    _, report, _ = check_json(root)

    assert set(_findings(report, "KW102")) == {"venv/core.py", "build/steps.py", "build_out/x.py"}
