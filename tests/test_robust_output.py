"""Output integrity: reports are written atomically, so a run killed or interrupted half-way through
writing leaves the previous report whole (and nothing a CI glob like `*.sarif` would pick up)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

#: Runs the real CLI, but the first file opened for writing gets half its text and then SIGNAL.
INTERRUPTED_CLI = textwrap.dedent("""
    import os, signal, sys

    sig = getattr(signal, sys.argv.pop(1))
    real_fdopen = os.fdopen

    class HalfThenSignal:
        def __init__(self, fh):
            self.fh = fh
        def __getattr__(self, name):
            return getattr(self.fh, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.fh.__exit__(*exc)
        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            self.fh.flush()
            os.kill(os.getpid(), sig)
            return self.fh.write(text[len(text) // 2 :])

    def fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)
        return HalfThenSignal(fh) if "w" in mode else fh

    os.fdopen = fdopen
    from knightwatch.cli import main
    sys.argv[0] = "knightwatch"
    main()
""")

RUNS = {
    "sarif": (["check", "{project}", "--format", "sarif", "-o", "{out}/report.sarif"], "report.sarif"),
    "json": (["check", "{project}", "--format", "json", "-o", "{out}/report.json"], "report.json"),
    "html": (["audit", "{project}", "-o", "{out}/report.html", "--json", "{out}/audit.json"], "report.html"),
}


def _args(kind: str, project, out) -> list[str]:
    args, _ = RUNS[kind]
    return [a.format(project=project, out=out) for a in args] + ["--no-cache"]


def _as_a_foreground_job() -> None:
    """Ctrl-C reaches a foreground job, whose SIGINT is not ignored. A job started in the background
    by a non-interactive shell (a CI runner's, say) inherits SIGINT ignored, and Python then keeps it
    ignored: the interrupt the test sends would be lost and the run would finish normally."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("kind", sorted(RUNS))
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_run_interrupted_mid_write_leaves_the_old_report_whole(tmp_path, smars_dir, kind, sig):
    out = tmp_path / "out"
    out.mkdir()
    name = RUNS[kind][1]
    (out / name).write_text("the previous report\n")

    proc = subprocess.run([sys.executable, "-c", INTERRUPTED_CLI, sig, *_args(kind, smars_dir, out)],
                          capture_output=True, text=True, timeout=300, preexec_fn=_as_a_foreground_job)

    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    assert (out / name).read_text() == "the previous report\n"
    suffix = name.rpartition(".")[2]
    assert [p.name for p in out.glob(f"*.{suffix}")] == [name]
    leftovers = sorted(p.name for p in out.iterdir() if p.name != name)
    if sig == "SIGINT":  # Ctrl-C: the temp file is removed too
        assert leftovers == []
    else:  # killed outright: at most a hidden `.NAME.*.tmp` that no report glob matches
        assert all(n.startswith(f".{name}.") and n.endswith(".tmp") for n in leftovers), leftovers


@pytest.mark.parametrize("kind", sorted(RUNS))
def test_an_uninterrupted_run_writes_the_whole_report(tmp_path, smars_dir, kind):
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run([sys.executable, "-m", "knightwatch", *_args(kind, smars_dir, out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    text = (out / RUNS[kind][1]).read_text(encoding="utf-8")
    if kind == "html":
        assert text.lstrip().lower().startswith("<!doctype html") and text.rstrip().endswith("</html>")
        json.loads((out / "audit.json").read_text(encoding="utf-8"))
    else:
        assert json.loads(text)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def _closing(fd: int):
    return lambda: os.close(fd)


def test_with_standard_output_closed_the_report_is_refused_in_one_line(smars_dir):
    proc = subprocess.run([sys.executable, "-m", "knightwatch", "check", str(smars_dir), "--no-cache"],
                          stderr=subprocess.PIPE, text=True, timeout=300, preexec_fn=_closing(1))
    assert proc.returncode == 2
    assert proc.stderr == "knightwatch: error: cannot write the report: standard output is closed\n"


def test_with_standard_output_closed_a_report_to_a_file_is_whole(tmp_path, smars_dir):
    out = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "knightwatch", "check", str(smars_dir), "--no-cache",
                           "--format", "json", "-o", str(out)],
                          stderr=subprocess.PIPE, text=True, timeout=300, preexec_fn=_closing(1))
    assert proc.returncode == 1 and proc.stderr == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["findings"] == 8


def test_a_report_cut_off_by_a_closed_pipe_exits_1_without_a_traceback(smars_dir):
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE
    try:  # KW002 finds nothing on SMARS: exit 0 had the report been written
        proc = subprocess.run([sys.executable, "-m", "knightwatch", "check", str(smars_dir), "--no-cache",
                               "--format", "json", "--select", "KW002"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
