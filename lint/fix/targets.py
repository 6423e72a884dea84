"""What `knightwatch fix` retires or deletes: flags given on the command line, flags production shows
constant (--stale), and for --dead the definitions unreachable with confidence 100% and the flags
behind dormant regions (KW101) that the registry no longer declares."""

from __future__ import annotations

import datetime as dt
import shlex

from knightwatch.errors import KnightwatchError
from knightwatch.output.inventory import build_inventory

VALUES = {"on": True, "true": True, "off": False, "false": False}
STALE_AGE = dt.timedelta(days=365)  # a flag at one value everywhere and older than this is stale too


def parse_values(given: tuple[str, ...]) -> dict[str, bool]:
    """`KEY=on|off` options -> {key: value}."""
    values: dict[str, bool] = {}
    for item in given:
        key, sep, value = item.rpartition("=")
        if not sep or not key or value.lower() not in VALUES:
            raise KnightwatchError(f"--flag {item!r}: expected KEY=on or KEY=off")
        if key in values and values[key] != VALUES[value.lower()]:
            raise KnightwatchError(f"--flag {key}: given both on and off")
        values[key] = VALUES[value.lower()]
    return values


def fix_command(key: str, value: bool) -> str:
    """The command, run in the project directory, that retires KEY at VALUE."""
    setting = f"{key}={'on' if value else 'off'}"
    return f"knightwatch fix --flag {shlex.quote(setting)}"


def unknown_keys(analysis, values: dict[str, bool]) -> list[str]:
    """Keys of VALUES that no read resolves to and the registry does not declare."""
    known = set(analysis.flags.by_key()) | set(analysis.registry.flags if analysis.registry else ())
    return sorted(set(values) - known)


def stale_values(analysis, findings) -> tuple[dict[str, bool], list[str]]:
    """Flags to retire at the value production shows: (values, notes on flags passed over).

    A flag qualifies when every host whose coverage shows its state shows the same one, and either
    every host shows it, or it is past its registry expiry, or older than STALE_AGE. Never a flag
    whose registry kind is kill-switch, ops or permission, nor a recycled one, nor one whose branch
    to delete ran.
    """
    values: dict[str, bool] = {}
    notes: list[str] = []
    for entry in build_inventory(analysis, findings):
        key, state = entry["key"], entry["state"]
        if not entry["reads"] or state not in ("on", "off"):
            continue
        if entry["by_design"]:
            notes.append(f"{key}: not retired: its kind is {entry['kind']}")
            continue
        if "recycled" in entry["statuses"]:  # retiring it would hard-wire its legacy meaning too
            notes.append(f"{key}: not retired: it is recycled; give each thing it gates its own flag first")
            continue
        if all(r.from_config for r in analysis.flags.by_key().get(key, [])):
            notes.append(f"{key}: not retired: it is read from configuration only, and fix rewrites flag SDK reads only")
            continue
        everywhere = all(s == state for s in entry["hosts"].values())
        old = entry["age_days"] is not None and entry["age_days"] > STALE_AGE.days
        if not (everywhere or entry["expired"] or old):
            continue
        _retire(analysis, key, state == "on", values, notes)
    return values, notes


def _retire(analysis, key: str, value: bool, values: dict[str, bool], notes: list[str]) -> None:
    """Retire KEY at VALUE into VALUES, unless code that would delete ran on a host (said in NOTES)."""
    ran = _untouched_by_production(analysis, key, value)
    if ran:
        notes.append(f"{key}: not retired: the code it would delete ran on {', '.join(ran)}")
    else:
        values[key] = value


def _untouched_by_production(analysis, key: str, value: bool) -> list[str]:
    """Hosts that ran code retiring KEY at VALUE would delete (none: safe to retire)."""
    return sorted({h for r in analysis.flags.by_key().get(key, []) for region in r.regions if region.on != value
                   for h in analysis.region_hosts(region)})


def dormant_retired(analysis, findings) -> tuple[dict[str, bool], list[str]]:
    """Flags behind KW101 dormant regions that the registry no longer declares (retired there, still
    read in the code): retired at the value production ran, so that their dormant regions go."""
    if analysis.registry is None:
        return {}, []
    values: dict[str, bool] = {}
    notes: list[str] = []
    keys = {f.properties.get("flag") for f in findings if f.rule == "KW101" and f.suppression is None}
    for key in sorted(k for k in keys if k and k not in analysis.registry.flags and k in analysis.flags.by_key()):
        dormant = {region.on for r in analysis.flags.by_key()[key] for region in r.regions
                   if not analysis.region_hosts(region)}
        if len(dormant) != 1:
            continue
        _retire(analysis, key, not dormant.pop(), values, notes)
    return values, notes


def _overrides_outside(analysis, q: str) -> bool:
    """Q is a method of a class with a base outside the project: it may override a method that code
    outside the project calls (`TextWrapper._wrap_chunks`), which no call graph of the project shows."""
    idx = analysis.index
    module, scope, entry = idx.defs[q]
    cls = f"{module}.{entry['parent']}" if entry.get("parent") else None
    if cls is None or idx.kind(cls) != "class":
        return False
    for c in idx.mro(cls):
        declared = [b for b in idx.defs[c][2].get("bases", ()) if b != ("n", "object")]
        if len(declared) > len(idx.bases(c)):
            return True
    return False


def dead_definitions(analysis, findings) -> tuple[set[str], list[str]]:
    """KW102 findings at confidence 100% whose code no host ran: their qualified names; notes.

    Kept: in a library (no entry points) public names, its API; methods that may override a method
    of a class outside the project."""
    found: set[str] = set()
    notes: list[str] = []
    public = overriding = 0
    g = analysis.callgraph.graph
    for f in findings:
        if f.rule != "KW102" or f.suppression is not None or f.properties.get("confidence") != 100:
            continue
        q = f.symbol
        if q not in analysis.index.defs:
            continue
        data = g.nodes[q]
        if data["kind"] != "module" and not analysis.config.entry_points and not q.rpartition(".")[2].startswith("_"):
            public += 1
            continue
        if data["kind"] == "function" and _overrides_outside(analysis, q):
            overriding += 1
            continue
        if data["kind"] == "module":
            info = analysis.files.get(data["path"])
            hosts = analysis.ran_on(data["path"], 1, len(info.lines) if info else 1)
        else:
            hosts = analysis.function_hosts(q)
        if hosts:
            notes.append(f"{q}: not deleted: it ran on {', '.join(sorted(hosts))}")
            continue
        found.add(q)
    if public:
        notes.append(f"{public} public definition(s) not deleted: without entry points the project is a library, "
                     "and they are its API")
    if overriding:
        notes.append(f"{overriding} method(s) not deleted: they may override a method of a class outside the "
                     "project, called from there")
    return found, notes


def gather(analysis, findings, values: dict[str, bool], *, stale: bool, dead: bool
           ) -> tuple[dict[str, bool], set[str], list[str]]:
    """Everything one fix does: (flag values to retire, definitions to delete, notes on what was
    passed over). VALUES given on the command line win over those --stale or --dead find."""
    notes = [f"{key}: read nowhere and not in the registry: nothing to retire"
             for key in unknown_keys(analysis, values)]
    found: dict[str, bool] = {}
    defs: set[str] = set()
    if stale:
        more, passed = stale_values(analysis, findings)
        found.update(more)
        notes += passed
    if dead:
        defs, passed = dead_definitions(analysis, findings)
        more, skipped = dormant_retired(analysis, findings)
        found.update(more)
        notes += passed + skipped
    return {**found, **values}, defs, notes
