"""The flag inventory: every flag key of the registry and of the code, with its reads (and the
constant names they go through), owner, kind, age, expiry, per-host production state and status.

Production state per host comes from coverage of the gated regions: an on-side region that ran
means the flag was on there; an off-side region that ran means it was off, but only when the
read is the whole test of its branch (`if flags.is_on(X):`), since in `if a and is_on(X):` the
off side also runs when `a` is false.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable

from knightwatch.clock import today
from knightwatch.finding import Finding
from knightwatch.graphs.flags import FlagRead
from knightwatch.rules import BY_ID

#: most telling first; an entry's `status` is the first of its `statuses`
STATUSES = ("recycled", "expired", "undeclared", "orphaned", "dormant", "live")
_SOLE_TEST = frozenset({"if", "elif", "while", "if not", "elif not", "while not"})


def format_age(days: int | None) -> str:
    """`3y 2m`, `5m`, `12d`; an empty string when unknown."""
    if days is None:
        return ""
    if days < 0:
        return "future"
    years, rest = divmod(days, 365)
    months = rest // 30
    if years:
        return f"{years}y {months}m" if months else f"{years}y"
    return f"{months}m" if months else f"{days}d"


def _sole_test(read: FlagRead, lines: list[str] | None) -> bool:
    """True when the read is the entire test of its `if`/`elif`/`while` (possibly negated)."""
    site = read.site
    if not lines or site.end_line != site.line or not 1 <= site.line <= len(lines):
        return False
    text = lines[site.line - 1]
    before = " ".join(text[: site.column - 1].split())
    after = text[site.end_column - 1 :].split("#", 1)[0].strip()
    return before in _SOLE_TEST and after == ":"


def _host_states(analysis, reads: list[FlagRead]) -> dict[str, str | None]:
    """Host -> on, off, mixed, or None when nothing shows how the flag evaluated there."""
    on: set[str] = set()
    off: set[str] = set()
    for read in reads:
        sole = _sole_test(read, analysis.lines_of(read.path))
        on_regions = [r for r in read.regions if r.on]
        off_regions = [r for r in read.regions if not r.on]
        ran_on = set().union(*(analysis.region_hosts(r) for r in on_regions))
        on |= ran_on
        if not sole:
            continue
        if off_regions:
            off.update(*(analysis.region_hosts(r) for r in off_regions))
        else:  # no off side to watch: the test ran and its body did not
            off |= analysis.ran_on(read.path, read.line, read.line) - ran_on
    states = {}
    for host in analysis.hosts:
        states[host] = "mixed" if host in on and host in off else "on" if host in on else \
            "off" if host in off else None
    return states


def _overall(states: dict[str, str | None]) -> str | None:
    seen = {s for s in states.values() if s}
    if not seen:
        return None
    return seen.pop() if len(seen) == 1 else "varies"


def _read_entry(analysis, read: FlagRead) -> dict:
    on_hosts = set().union(*(analysis.region_hosts(r) for r in read.regions if r.on))
    unknown = set().union(*(analysis.region_unknown(r) for r in read.regions if r.on)) - on_hosts
    return {"path": read.path, "line": read.line, "column": read.site.column, "via": read.via,
            "accessor": read.accessor, "caller": read.site.caller, "on_hosts": sorted(on_hosts),
            "unknown_hosts": sorted(unknown)}


def _statuses(entry: dict, recycled: bool, has_registry: bool, has_coverage: bool) -> list[str]:
    found = []
    if recycled:
        found.append("recycled")
    if entry["expired"]:
        found.append("expired")
    if has_registry and not entry["declared"]:
        found.append("undeclared")
    if entry["declared"] and not entry["reads"] and not entry["kept"]:
        found.append("orphaned")
    if has_coverage and entry["reads"] and not entry["by_design"] and \
            not any(r["on_hosts"] or r["unknown_hosts"] for r in entry["reads"]):
        found.append("dormant")
    return found or ["live"]


def build_inventory(analysis, findings: Iterable[Finding] = ()) -> list[dict]:
    """One JSON-able entry per flag key (registry and code), sorted by key.

    FINDINGS supply the recycled status (the findings of a rule whose `flag_status` is "recycled" name their flag).
    """
    now = today()
    specs = analysis.registry.flags if analysis.registry else {}
    reads = analysis.flags.by_key() if analysis.flags else {}
    recycled = {f.properties.get("flag") for f in findings
                if f.rule in BY_ID and BY_ID[f.rule].flag_status == "recycled"}
    entries = []
    for key in sorted(set(specs) | set(reads)):
        spec = specs.get(key)
        key_reads = sorted(reads.get(key, []), key=lambda r: (r.path, r.line, r.site.column))
        states = _host_states(analysis, key_reads)
        entry = {
            "key": key,
            "declared": spec is not None,
            "owner": spec.owner if spec else "",
            "kind": spec.kind if spec else "",
            "created": spec.created.isoformat() if spec and spec.created else None,
            "expires": spec.expires.isoformat() if spec and spec.expires else None,
            "registry_line": spec.line if spec else None,
            "age_days": (now - spec.created).days if spec and spec.created else None,
            "expired": bool(spec and spec.expires and spec.expires < now),
            "by_design": bool(spec and spec.by_design_dormant),
            "aliases": sorted({r.via for r in key_reads}),
            "reads": [_read_entry(analysis, r) for r in key_reads],
            #: reads testing no branch (their value stored or passed on): "path:line"
            "kept": [f"{r.path}:{r.line}" for r in analysis.flags.unbranched_of(key)] if analysis.flags else [],
            "hosts": states,
            "state": _overall(states),
        }
        entry["statuses"] = _statuses(entry, key in recycled, analysis.registry is not None, bool(analysis.hosts))
        entry["status"] = entry["statuses"][0]
        entries.append(entry)
    return entries


def state_text(entry: dict) -> str:
    """The production state in words: `on 8/8`, `off 8/8`, `varies: on 1, off 7`, or empty."""
    states = [s for s in entry["hosts"].values() if s]
    if not states:
        return ""
    total = len(entry["hosts"])
    if entry["state"] != "varies":
        return f"{entry['state']} {len(states)}/{total}"
    counts = {s: states.count(s) for s in ("on", "off", "mixed") if s in states}
    return "varies: " + ", ".join(f"{s} {n}" for s, n in counts.items())


def kept_text(entry: dict) -> str:
    """Where a flag tested in no branch is read (its value stored or passed on), or ''."""
    return f"value kept at {', '.join(entry['kept'])}" if entry.get("kept") else ""


def reads_text(entry: dict) -> str:
    """`path:line via NAME; ...`"""
    return "; ".join(f"{r['path']}:{r['line']} via {r['via']}" for r in entry["reads"])


CSV_COLUMNS = ("key", "status", "statuses", "kind", "owner", "created", "expires", "age_days", "state",
               "hosts", "aliases", "reads")


def to_csv(entries: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        hosts = ";".join(f"{h}={s or 'unknown'}" for h, s in e["hosts"].items())
        writer.writerow([e["key"], e["status"], ";".join(e["statuses"]), e["kind"], e["owner"], e["created"] or "",
                         e["expires"] or "", "" if e["age_days"] is None else e["age_days"], e["state"] or "",
                         hosts, ";".join(e["aliases"]), reads_text(e)])
    return out.getvalue()


def to_json(entries: list[dict]) -> str:
    return json.dumps({"flags": entries}, indent=2) + "\n"


def to_table(entries: list[dict]):
    """A rich Table of the inventory."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Flag inventory", title_justify="left")
    for name, kw in (("Key", {"style": "bold"}), ("Status", {}), ("Kind", {}), ("Owner", {}),
                     ("Age", {"justify": "right"}), ("Expires", {}), ("Production", {}), ("Read as", {})):
        table.add_column(name, **kw)
    styles = {"recycled": "bold red", "expired": "yellow", "undeclared": "yellow", "orphaned": "yellow",
              "dormant": "magenta", "live": "green"}
    for e in entries:
        status = ", ".join(f"[{styles[s]}]{s}[/]" for s in e["statuses"])
        table.add_row(escape(e["key"]), status, escape(e["kind"]) or "-", escape(e["owner"]) or "-",
                      format_age(e["age_days"]) or "-", e["expires"] or "-", state_text(e) or "-",
                      escape("\n".join(f"{r['via']}  {r['path']}:{r['line']}" for r in e["reads"]) or kept_text(e))
                      or "-")
    return table
