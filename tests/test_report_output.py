"""write_atomic: all or nothing, no temp files left behind, `-` is stdout."""

from __future__ import annotations

import os
import stat

import pytest

from knightwatch.output import atomic as output
from knightwatch.errors import KnightwatchError
from knightwatch.output.atomic import write_atomic


def test_writes_and_replaces(tmp_path):
    target = tmp_path / "report.sarif"
    write_atomic(target, "first\n")
    write_atomic(str(target), "second ✓\r\n")
    assert target.read_bytes() == "second ✓\r\n".encode("utf-8")
    assert os.listdir(tmp_path) == ["report.sarif"]


def test_dash_and_none_mean_stdout(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_atomic("-", "to stdout\n")
    write_atomic(None, "again\n")
    assert capsys.readouterr().out == "to stdout\nagain\n"
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_interrupted_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch, error):
    target = tmp_path / "report.json"
    target.write_text("old\n")
    seen = []

    def failing_fsync(fd):
        seen.extend(p.name for p in tmp_path.iterdir())
        raise error

    monkeypatch.setattr(output.os, "fsync", failing_fsync)
    expected = KeyboardInterrupt if error is KeyboardInterrupt else KnightwatchError
    with pytest.raises(expected):
        write_atomic(target, "new content " * 10_000)
    assert len(seen) == 2  # the temp file existed, fully written, when the failure hit
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["report.json"]


def test_unencodable_text_fails_mid_write_without_partial_file(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "x" * 100_000 + "\ud800")
    assert os.listdir(tmp_path) == []


def test_missing_directory_is_a_one_line_error(tmp_path):
    with pytest.raises(KnightwatchError, match=r"^cannot write .*nope/r\.json: No such file or directory$"):
        write_atomic(tmp_path / "nope" / "r.json", "x")


def test_permissions_kept_or_umask_default(tmp_path):
    existing = tmp_path / "kept.txt"
    existing.write_text("old")
    existing.chmod(0o640)
    write_atomic(existing, "new")
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.txt"
    write_atomic(fresh, "new")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
