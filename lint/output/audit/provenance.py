"""What makes an audit fileable: the exact inputs it was made from (commit, every coverage file per
host, registry, configuration, tool version), the pre-trade control duties its breaker and
kill-switch findings evidence, and a digest of the whole report so a copy can be shown unaltered."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path

from knightwatch import __version__
from knightwatch.config import Config, coverage_files
from knightwatch.production.coverage_join import host_name
from knightwatch.production.gitcmd import git

#: rule -> the duties its findings are evidence about (what a finding, or its absence, speaks to).
#: Only the rules' names are cited: no article or paragraph number has been checked against the texts,
#: and a wrong one in a filed report would mislead more than none.
SEC = "SEC Rule 15c3-5 (market access)"
RTS6 = "MiFID II RTS 6 (algorithmic trading)"
DUTIES = {
    "KW301": [
        (SEC, "pre-trade risk management controls that stop orders exceeding credit, capital, price or size "
         "limits before they reach the market"),
        (RTS6, "pre-trade controls on every order an algorithm sends"),
    ],
    "KW502": [
        (SEC, "the controls must be able to stop order flow: a kill switch is how such a control does so"),
        (RTS6, "kill functionality: stop sending orders and cancel unexecuted ones immediately, in an emergency"),
    ],
    "KW501": [
        (SEC, "review of the effectiveness of the risk management controls"),
        (RTS6, "testing of algorithms, and of changes to them, before they are deployed"),
    ],
}
DISCLAIMER = ("This section is evidence, not certification. It maps static-analysis findings to the control "
              "duties they bear on, citing each rule by name only. It does not establish that the firm complies "
              "with SEC Rule 15c3-5 or MiFID II RTS 6; that judgement rests with the firm's compliance function "
              "and its regulators.")


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _modified(config: Config, path: Path) -> dict:
    """With a calendar, a data file's modification time is an input (it can end the host's window)."""
    if not config.calendar:
        return {}
    try:
        return {"modified": dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).isoformat()}
    except OSError:
        return {"modified": None}


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = git(root, *args, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def _shown(path: Path, root: Path) -> str:
    full = path.resolve()
    return full.relative_to(root.resolve()).as_posix() if full.is_relative_to(root.resolve()) else str(path)


def inputs(config: Config, coverage: list[str] | None) -> dict:
    """Everything the audit was computed from, each file with its SHA-256."""
    root = config.root
    commit = _git(root, "rev-parse", "HEAD")
    dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no")) if commit else None
    files = coverage_files(config, coverage if coverage is not None else config.coverage)
    return {
        "knightwatch": __version__,
        "commit": commit,
        "uncommitted_changes": dirty,
        "configuration": {"path": _shown(config.file, root), "sha256": _sha256(config.file)} if config.file else None,
        "registry": {"path": _shown(config.registry, root), "sha256": _sha256(config.registry)}
        if config.registry else None,
        "coverage": [{"host": host_name(p), "path": _shown(p, root), "sha256": _sha256(p), **_modified(config, p)}
                     for p in files],
        "test_coverage": [{"path": p, "sha256_blake2b128": d} for p, d in config.test_coverage],
    }


def controls(model: dict) -> dict:
    """Breaker and kill-switch findings grouped under the duties they evidence."""
    active = [f for f in model["findings"] if f["suppressed"] is None]
    ran = {r["id"] for r in model["rules"]}
    duties = []
    for rule, items in DUTIES.items():
        found = [f["fingerprint"] for f in active if f["rule"] == rule]
        for duty, text in items:
            duties.append({"duty": duty, "text": text, "rule": rule, "checked": rule in ran, "findings": found})
    return {"duties": duties, "disclaimer": DISCLAIMER}


def digest(model: dict) -> str:
    """SHA-256 of the model's canonical JSON, its own digest left out."""
    body = {k: v for k, v in model.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def seal(model: dict, config: Config, coverage: list[str] | None) -> dict:
    """MODEL with its inputs and, last, its digest."""
    model = dict(model, inputs=inputs(config, coverage))
    model["digest"] = {"algorithm": "sha256", "value": digest(model)}
    return model
