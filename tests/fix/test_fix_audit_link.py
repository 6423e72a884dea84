"""The audit links each stale flag to the exact `knightwatch fix` command that retires it, and that
command, run as written, retires it."""

from __future__ import annotations

import shlex
import shutil

from click.testing import CliRunner

from knightwatch.output.audit import build, render
from knightwatch.cli import _obtain, main


def test_each_stale_flag_carries_the_command_that_retires_it(smars_dir, tmp_path):
    root = tmp_path / "smars"
    shutil.copytree(smars_dir, root)
    _, result, analysis = _obtain(root, (), True, None, need_analysis=True)
    model = build(result, analysis)
    commands = {f["key"]: f["fix"] for f in model["flags"]}
    assert commands == {
        "exp.adaptive-slicing": None,  # both values seen on every host
        "ops.fix42-dropcopy": None,  # read nowhere
        "risk.kill-switch": None,  # a kill switch
        "routing.midpoint-sweep": "knightwatch fix --flag routing.midpoint-sweep=off",
        "routing.mode-7": None,  # on everywhere, but recycled: retiring it would hard-wire Power Peg
        "routing.odd-lot-aggregation": "knightwatch fix --flag routing.odd-lot-aggregation=on",
    }
    assert "retire: <code>knightwatch fix --flag routing.midpoint-sweep=off</code>" in render("html", model)
    assert "retire: `knightwatch fix --flag routing.odd-lot-aggregation=on`" in render("markdown", model)
    program, command, *options = shlex.split(commands["routing.odd-lot-aggregation"])
    assert (program, command) == ("knightwatch", "fix")
    ran = CliRunner().invoke(main, [command, str(root), "--no-cache", *options])
    assert ran.exit_code == 0, ran.stderr
    assert "odd-lot-aggregation" not in (root / "flags.toml").read_text()
    assert "ODD_LOTS" not in (root / "smars/router.py").read_text()
