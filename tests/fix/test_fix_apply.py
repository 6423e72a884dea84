"""Writing a fix: all files or none, and the diff it shows instead."""

from __future__ import annotations

import os

import pytest

from knightwatch.errors import KnightwatchError
from knightwatch.fix.apply import unified_diff, write_all


def test_a_failure_part_way_puts_every_file_back(tmp_path, monkeypatch):
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(f"{name} before\n")
    changes = {"a.py": ("a.py before\n", "a.py after\n"), "b.py": ("b.py before\n", None),
               "c.py": ("c.py before\n", "c.py after\n")}
    real = os.replace

    def replace(src, dst):
        if str(src).endswith("c.py.kwfix-new"):  # the last new file cannot be moved in
            raise PermissionError(13, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KnightwatchError, match=r"^fix: cannot write .*c\.py.*: Permission denied; nothing written$"):
        write_all(tmp_path, changes)
    monkeypatch.setattr(os, "replace", real)
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        "a.py": "a.py before\n", "b.py": "b.py before\n", "c.py": "c.py before\n"}


def test_every_change_is_written_and_deletions_happen(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    write_all(tmp_path, {"a.py": ("x = 1\n", "x = 2\n"), "b.py": ("y = 2\n", None)})
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {"a.py": "x = 2\n"}


def test_the_diff_names_kept_reads_first_and_marks_deleted_files():
    diff = unified_diff({"m.py": ("a\nb\n", "a\n"), "gone.py": ("z\n", None)}, ["m.py:3: read of k kept: why"])
    assert diff == ("# knightwatch fix: m.py:3: read of k kept: why\n"
                    "--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n"
                    "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1 @@\n a\n-b\n")
