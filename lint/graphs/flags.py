"""The flag graph: every flag read (resolved to its key through constants, imports, classes and
enums), the code regions each read gates, and the flag registry (flags.toml)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from knightwatch.graphs.callgraph import CallGraph, CallSite
from knightwatch.config import DEFAULT_ACCESSORS, Config, _read_toml
from knightwatch.graphs.config_flags import ConfigSources, render
from knightwatch.graphs.held_flags import HeldFlags
from knightwatch.clock import as_date
from knightwatch.errors import KnightwatchError
from knightwatch.source.schema import AND, OR, Read, Tag, written

KINDS = ("release", "experiment", "canary", "rollout", "ops", "operational", "kill-switch", "permission")
BY_DESIGN = frozenset({"ops", "operational", "kill-switch", "permission"})
#: kinds whose state is expected to differ between hosts (a per-host rollout)
PER_HOST = frozenset({"experiment", "canary", "rollout"})
ENV_READERS = frozenset({"os.getenv", "os.environ.get"})
ENVIRON = ("ext", "os.environ")
#: bases whose members are bits a program tests for membership (`Features.RETAIL in features`)
FLAG_ENUMS = frozenset({("ext", "enum.Flag"), ("ext", "enum.IntFlag")})
#: what the name of such a class says when its bits switch features (not permissions, parse options)
FEATURE_SET = re.compile(r"feature|toggle|switch|rollout|experiment", re.IGNORECASE)
#: how many wrappers deep a function returning a flag read (`enabled(key)`) is followed
MAX_DERIVED_DEPTH = 3


@dataclass
class Region:
    """Lines that run only when a flag read has a given outcome."""

    read: "FlagRead"
    on: bool  # True: runs when the flag is on
    kind: str  # "if", "else", "guard" (rest of the block after an early return), "ifexp"
    start: int
    end: int
    sites: list[CallSite] = field(default_factory=list)
    #: the test joins the read with others (`a and b`): the span runs only when they agree too
    shared: bool = False
    #: the span runs when the test is true (the body), else when it is false (an else, the rest)
    when: bool = True

    @property
    def path(self) -> str:
        return self.read.path


@dataclass
class FlagRead:
    """A call that reads a flag."""

    keys: tuple[str, ...]  # resolved key(s); empty when unresolvable
    via: str  # the key expression as written (a constant name, an enum member, a literal)
    accessor: str
    site: CallSite
    regions: list[Region] = field(default_factory=list)
    #: spans the read does not gate but that never run unless it has one value: the else of `a and
    #: b` runs whenever either is off, but if it never ran, each was on wherever it was read
    implied: list[Region] = field(default_factory=list)
    #: read from a configured flag source (`self.config["dry_run"]`), not through an SDK call
    from_config: bool = False

    @property
    def path(self) -> str:
        return self.site.path

    @property
    def line(self) -> int:
        return self.site.line

    @property
    def key(self) -> str | None:
        return self.keys[0] if len(self.keys) == 1 else None


@dataclass
class FlagSpec:
    """One `[flags."<key>"]` entry of the registry."""

    key: str
    owner: str = ""
    kind: str = "release"
    created: dt.date | None = None
    expires: dt.date | None = None
    line: int = 0
    guards: tuple[str, ...] = ()  # kill switches: the sinks the switch must stop (default: all)
    description: str = ""
    renamed_from: tuple[str, ...] = ()  # the keys this one replaces (a renamed configuration key)
    deprecated: bool = False  # going away: no code should read it any more
    flag_type: str = ""  # OpenFeature flagType ("boolean", "string", ...), when declared
    default: object = None  # OpenFeature defaultValue, when declared

    @property
    def by_design_dormant(self) -> bool:
        return self.kind in BY_DESIGN

    def side_dormant_by_design(self, on: bool) -> bool:
        """Whether the side of a check that runs when the flag is ON (else off) may never run, by
        design: either side of an ops or permission flag, only the kill side of a kill switch (the
        side that runs while it is off is the desk's normal path)."""
        return self.by_design_dormant and (on or self.kind != "kill-switch")

    @property
    def per_host(self) -> bool:
        return self.kind in PER_HOST


@dataclass
class Registry:
    path: str  # relative to the project root
    flags: dict[str, FlagSpec]


def _as_date(value, key: str, field_name: str, file: Path) -> dt.date | None:
    if value is None:
        return None
    found = as_date(value)
    if found is not None:
        return found
    raise KnightwatchError(f"{file}: flag {key!r}: {field_name!r} must be a date (YYYY-MM-DD), not {value!r}")


FIELDS = frozenset({"owner", "kind", "created", "expires", "description", "guards", "renamed-from", "deprecated",
                    "type", "default"})
FLAG_TYPES = ("boolean", "string", "integer", "float", "object")


def load_registry(file: Path, root: Path) -> Registry:
    """Read a flag inventory: a TOML registry (`[flags."<key>"]` tables with owner, kind, created,
    expires, ...) or an OpenFeature CLI flag manifest (JSON, recognised by its content)."""
    if not file.is_file():
        raise KnightwatchError(f"{file}: flag registry not found (configured in [tool.knightwatch.flags] registry)")
    if file.suffix != ".toml" and _json_text(file):
        from knightwatch.graphs.openfeature import load_manifest

        specs = load_manifest(file)
    else:
        specs = _load_toml_registry(file)
    return Registry(file.resolve().relative_to(root).as_posix() if file.resolve().is_relative_to(root)
                    else str(file), specs)


def _json_text(file: Path) -> bool:
    """FILE holds a JSON object (an OpenFeature manifest, whatever its name), not TOML."""
    try:
        with file.open("rb") as fh:
            return fh.read(4096).lstrip()[:1] == b"{"
    except OSError as exc:
        raise KnightwatchError(f"{file}: cannot read: {exc.strerror or exc}") from None


def _load_toml_registry(file: Path) -> dict[str, FlagSpec]:
    data = _read_toml(file)
    table = data.get("flags", {})
    if not isinstance(table, dict):
        raise KnightwatchError(f"{file}: [flags] must be a table of flag tables")
    text = file.read_text(encoding="utf-8", errors="replace").splitlines()
    specs = {}
    for key, entry in table.items():
        if not isinstance(entry, dict):
            raise KnightwatchError(f"{file}: flag {key!r} must be a table")
        unknown = set(entry) - FIELDS
        if unknown:
            raise KnightwatchError(f"{file}: flag {key!r}: unknown field {sorted(unknown)[0]!r}")
        kind = entry.get("kind", "release")
        if kind not in KINDS:
            raise KnightwatchError(f"{file}: flag {key!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
        guards = entry.get("guards", [])
        if not isinstance(guards, list) or not all(isinstance(g, str) for g in guards):
            raise KnightwatchError(f"{file}: flag {key!r}: 'guards' must be an array of sink names")
        renamed = entry.get("renamed-from", [])
        renamed = [renamed] if isinstance(renamed, str) else renamed
        if not isinstance(renamed, list) or not all(isinstance(r, str) and r for r in renamed):
            raise KnightwatchError(f"{file}: flag {key!r}: 'renamed-from' must be a key or an array of keys")
        if not isinstance(entry.get("deprecated", False), bool):
            raise KnightwatchError(f"{file}: flag {key!r}: 'deprecated' must be true or false")
        flag_type = entry.get("type", "")
        if flag_type and flag_type not in FLAG_TYPES:
            raise KnightwatchError(f"{file}: flag {key!r}: type {flag_type!r} is not one of {', '.join(FLAG_TYPES)}")
        specs[key] = FlagSpec(key, str(entry.get("owner", "")), kind,
                              _as_date(entry.get("created"), key, "created", file),
                              _as_date(entry.get("expires"), key, "expires", file),
                              _header_line(text, key), tuple(guards), str(entry.get("description", "")),
                              tuple(renamed), entry.get("deprecated", False), flag_type, entry.get("default"))
    return specs


def _header_line(lines: list[str], key: str) -> int:
    pattern = re.compile(r"^\s*\[\s*flags\s*\.\s*(?:\"%s\"|'%s'|%s)\s*\]" % ((re.escape(key),) * 3))
    return next((i for i, line in enumerate(lines, 1) if pattern.match(line)), 1)


class FlagGraph:
    """Flag reads and the regions they gate; `graph` links flag keys to the functions they gate."""

    def __init__(self, cg: CallGraph, config: Config):
        self.cg = cg
        self.reads: list[FlagRead] = []
        self.graph = nx.DiGraph()
        self._exact = exact = set(config.accessors)
        #: the project's own functions named like an SDK accessor that calls with a literal key reach
        self.lookalikes: set[str] = set()
        self._suffixes = suffixes = {a.rpartition(".")[2]: 0 for a in config.accessors} | DEFAULT_ACCESSORS
        idx = cg.index
        #: the project's functions that return a flag read of the key they are given (`def
        #: enabled(key): return client.variation(key, False)`) -> the argument position of the key
        self.derived: dict[str, int] = {}
        self._derive_accessors()
        #: flag reads that test no branch themselves (stored, passed on, returned)
        self.unbranched: list[FlagRead] = []
        unbranched = []
        for module, sites in cg.sites_by_module.items():
            summary = idx.summaries[module]
            by_index = {s.index: s for s in sites}
            gated = set()
            for gate in summary["gates"]:
                for call_index, negated, *joins in gate["calls"]:
                    site = by_index.get(call_index)
                    if site is None:
                        continue
                    gated.add(call_index)
                    read = self._read(site, summary["calls"][call_index], exact, suffixes)
                    if read is None:
                        continue
                    self._regions(read, gate, bool(negated), sites, joins[0] if joins else 0)
                    self.reads.append(read)
            for site in sites:
                if site.index not in gated:
                    read = self._read(site, summary["calls"][site.index], exact, suffixes)
                    if read is not None and read.keys:
                        unbranched.append((site, read))
        self.unbranched = [read for _, read in unbranched]
        taken = self._enum_reads()
        self._config_reads(ConfigSources(idx, config), taken)
        self._environ_reads(taken)
        self._held_reads(HeldFlags(cg, unbranched), taken)
        self._link()

    def _environ_reads(self, taken: set[tuple[int, int]]) -> None:
        """Branch tests of an entry of `os.environ` (`os.environ["X"] == "1"`, `"X" in os.environ`),
        as `os.environ.get("X")` is, but for the read records already TAKEN."""
        cg, idx = self.cg, self.cg.index
        for module, summary in idx.summaries.items():
            sites = cg.sites_by_module.get(module, [])
            for gate in summary["gates"]:
                for i, record in enumerate(gate.get("reads", ())):
                    record = Read(*record)
                    expr = written(record.expr)
                    if (id(gate), i) in taken or record.kind != "v" or expr[0] != Tag.SUBSCRIPT \
                            or ENVIRON not in idx.resolve(module, gate["scope"], expr[1]):
                        continue
                    keys = tuple(sorted({v[1] for v in idx.resolve(module, gate["scope"], expr[2]) if v[0] == "str"}))
                    if not keys:
                        continue
                    taken.add((id(gate), i))
                    site = CallSite(cg.caller(module, gate["scope"]), gate["scope"], module, cg.paths[module],
                                    record.line, record.col, record.end_line, record.end_col, False,
                                    tuple(gate["pos"]), -1)
                    read = FlagRead(keys, render(expr[2]), "env:[]", site)
                    self._regions(read, gate, bool(record.negated), sites, record.joins)
                    self.reads.append(read)

    def _derive_accessors(self) -> None:
        """Fill `derived`: functions returning a flag read whose key is one of their parameters, and
        functions returning a call of those the same way (a wrapper of a wrapper)."""
        idx = self.cg.index
        returned = []  # (function, its module, its scope, a call on one of its `return` lines)
        for fq, (module, scope, entry) in idx.defs.items():
            spans = entry.get("return_lines") if entry["kind"] == "function" and entry.get("params") else None
            if spans:
                returned += [(fq, module, scope, site) for site in self.cg.sites.get(fq, ())
                             if site.scope == scope and any(start <= site.line <= end for start, end in spans)]
        for depth in range(MAX_DERIVED_DEPTH):
            grown = False
            for fq, module, scope, site in returned:
                if fq in self.derived or depth and not any(t in self.derived for t in site.targets):
                    continue  # after the first round only calls of a function found since can read a flag
                read = self._read(site, idx.summaries[module]["calls"][site.index], self._exact, self._suffixes)
                params = idx.params(module, scope)
                offset = 0 if idx.method_kind(fq) in ("static", "function") else 1
                if read is not None and read.via in params and params.index(read.via) >= offset:
                    self.derived[fq] = params.index(read.via) - offset
                    grown = True
            if not grown:
                return

    def _held_reads(self, held: HeldFlags, taken: set[tuple[int, int]]) -> None:
        """Branch tests of a flag value kept in an attribute, a global or a parameter (`HeldFlags`),
        but for the read records already TAKEN as flag reads of another kind."""
        if not (held.attrs or held.params or held.names):
            return
        cg = self.cg
        for module, summary in cg.index.summaries.items():
            sites = cg.sites_by_module.get(module, [])
            for gate in summary["gates"]:
                for i, record in enumerate(gate.get("reads", ())):
                    record = Read(*record)
                    if (id(gate), i) in taken:
                        continue
                    for kept in held.kept(module, gate["scope"], record):
                        site = CallSite(cg.caller(module, gate["scope"]), gate["scope"], module, cg.paths[module],
                                        record.line, record.col, record.end_line, record.end_col, False,
                                        tuple(gate["pos"]), -1)
                        read = FlagRead(kept.keys, kept.via, kept.accessor, site)
                        self._regions(read, gate, bool(record.negated), sites, record.joins)
                        self.reads.append(read)

    def _enum_reads(self) -> set[tuple[int, int]]:
        """Branch tests on a member of an `enum.Flag` class named for features (`FEATURE_SET`: `if
        Features.RETAIL in features:`, `&`): the member's name is the key, read as `Class.MEMBER`; an
        alias (`PEG = RETAIL`) reads the member it names, under its own name. Returns
        (id of the gate, index) of the read records compared with such a member (`in features`)."""
        cg, idx = self.cg, self.cg.index
        compared: set[tuple[int, int]] = set()
        for module, summary in idx.summaries.items():
            sites = cg.sites_by_module.get(module, [])
            for gate in summary["gates"]:
                records = [Read(*r) for r in gate.get("reads", ())]
                for i, record in enumerate(records):
                    found = self._flag_member(module, gate["scope"], record)
                    if found is None:
                        continue
                    key, via = found
                    if i + 1 < len(records) and records[i + 1].line == record.line \
                            and records[i + 1].joins == record.joins:  # `in features`, `& features`
                        compared.add((id(gate), i + 1))
                    site = CallSite(cg.caller(module, gate["scope"]), gate["scope"], module, cg.paths[module],
                                    record.line, record.col, record.end_line, record.end_col, False,
                                    tuple(gate["pos"]), -1)
                    read = FlagRead((key,), via, "enum.Flag", site)
                    self._regions(read, gate, bool(record.negated), sites, record.joins)
                    self.reads.append(read)
        return compared

    def _flag_member(self, module: str, scope: str, record: Read) -> tuple[str, str] | None:
        """(canonical name, `Class.MEMBER` as read) of the member of a feature `enum.Flag` class
        RECORD reads, or None."""
        expr = written(record.expr)
        if record.kind != "v" or expr[0] != Tag.ATTR:
            return None
        for v in self.cg.index.resolve(module, scope, expr[1]):
            if v[0] == "def" and self._feature_enum(v[1]):
                names, name = self.cg.index.entry(v[1])["names"], expr[2]
                for _ in range(len(names)):  # `PEG = RETAIL`: an alias of RETAIL
                    value = names.get(name, ())
                    if len(value) != 1 or value[0][0] != Tag.NAME or value[0][1] not in names:
                        break
                    name = value[0][1]
                if name in names:
                    return name, f"{v[1].rpartition('.')[2]}.{expr[2]}"
        return None

    def _feature_enum(self, cls: str) -> bool:
        """CLS is a project `enum.Flag` (`IntFlag`) class named for features."""
        idx = self.cg.index
        return idx.kind(cls) == "class" and bool(FEATURE_SET.search(cls.rpartition(".")[2])) and any(
            FLAG_ENUMS & set(idx.resolve(idx.defs[c][0], idx.entry(c)["parent"] or "", b))
            for c in idx.mro(cls) for b in idx.entry(c).get("bases", ()))

    def _config_reads(self, sources: ConfigSources, taken: set[tuple[int, int]]) -> None:
        """Branch tests that read a configured flag source: `if self.config["dry_run"]:` (not the
        set an `enum.Flag` member is tested against: the member is the key, see `_enum_reads`).
        Adds the (id of the gate, index) of the read records it takes to TAKEN."""
        if not sources.active:
            return
        cg = self.cg
        for module, summary in cg.index.summaries.items():
            sites = cg.sites_by_module.get(module, [])
            for gate in summary["gates"]:
                seen = set()
                for i, record in enumerate(gate.get("reads", ())):
                    if (id(gate), i) in taken:
                        continue
                    found = sources.read(module, gate["scope"], record)
                    if found is None or found[0] in seen:  # `x > 0 and x < 9` tests one read
                        continue
                    taken.add((id(gate), i))
                    keys, accessor, negated = found
                    seen.add(keys)
                    record = Read(*record)
                    site = CallSite(cg.caller(module, gate["scope"]), gate["scope"], module, cg.paths[module],
                                    record.line, record.col, record.end_line, record.end_col, False, tuple(gate["pos"]), -1)
                    read = FlagRead(keys, render(record.expr) if record.kind == "v" else render(
                        (Tag.CONTAINER_METHOD, record.expr[1], record.expr[2], tuple(record.args))), accessor, site,
                        from_config=True)
                    self._regions(read, gate, bool((record.negated + negated) % 2), sites, record.joins)
                    self.reads.append(read)

    def read_at(self, site: CallSite) -> FlagRead | None:
        """The flag read SITE makes, gating a branch or not (a read stored in a variable, an argument);
        None when it reads no flag."""
        call = self.cg.index.summaries[site.module]["calls"][site.index]
        return self._read(site, call, self._exact, self._suffixes)

    def _read(self, site: CallSite, call: list, exact, suffixes) -> FlagRead | None:
        _, callee, *_, args, kwargs, _ = call
        callee = written(callee)
        name = callee[2] if callee[0] == Tag.ATTR else callee[1] if callee[0] == Tag.NAME else None
        targets = set(site.targets)
        env = bool(targets & ENV_READERS)
        derived = sorted(t for t in targets if t in self.derived)
        if targets & exact:
            argn = 0
        elif env:
            argn = 0
        elif derived:
            argn = self.derived[derived[0]]
        elif name in suffixes and not any(self.cg.index.kind(t) for t in targets if t not in exact):
            argn = suffixes[name]
        else:
            if name in suffixes and suffixes[name] < len(args) and args[suffixes[name]][0] == Tag.STR:
                self.lookalikes.update(t for t in targets if self.cg.index.kind(t) == "function")
            return None
        key_expr = args[argn] if argn < len(args) else next(iter(kwargs.values()), None)
        if key_expr is None:
            return None
        values = self.cg.index.resolve(site.module, site.scope, key_expr)
        keys = tuple(sorted({v[1] for v in values if v[0] == "str"}))
        if env and not keys:  # `env.get(name)` in a settings helper: no variable the analysis can name
            return None
        accessor = next(iter(sorted(targets & exact)), None) or (f"env:{name}" if env else derived[0] if derived
                                                                  else str(name))
        return FlagRead(keys, render(key_expr), accessor, site)

    def _regions(self, read: FlagRead, gate: dict, negated: bool, sites: list[CallSite], joins: int) -> None:
        """The spans READ gates: with JOINS (an operand of `and`/`or`) only the side the others must
        agree on (`a and b` runs its body with both on, its else with either off)."""
        kind = gate["kind"]
        on = not negated
        spans = []
        if gate["body"]:
            spans.append(("ifexp" if kind == "ifexp" else "if", on, gate["body"], True))
        if gate["orelse"]:
            spans.append(("ifexp" if kind == "ifexp" else "else", not on, gate["orelse"], False))
        if gate["rest"]:
            spans.append(("guard", not on, gate["rest"], False))
        for rkind, polarity, (start, end), when in spans:
            if joins == AND | OR:
                continue  # `a and (b or c)`: no outcome of b alone decides either side
            inside = [s for s in sites if start <= s.line <= end and s.caller.startswith(read.site.caller)]
            region = Region(read, polarity, rkind, start, end, inside, shared=bool(joins), when=when)
            (read.implied if joins & (OR if when else AND) else read.regions).append(region)

    def _link(self) -> None:
        for read in self.reads:
            for key in read.keys:
                self.graph.add_node(("flag", key), kind="flag")
                self.graph.add_edge(("flag", key), read.site.caller, line=read.line, via=read.via)
                for region in read.regions:
                    for site in region.sites:
                        for target in site.targets:
                            self.graph.add_edge(read.site.caller, target, gated_by=key, on=region.on)

    def unbranched_of(self, key: str) -> list[FlagRead]:
        """KEY's reads that test no branch themselves (their value is stored or passed on)."""
        return [r for r in self.unbranched if key in r.keys]

    def by_key(self) -> dict[str, list[FlagRead]]:
        out: dict[str, list[FlagRead]] = {}
        for read in self.reads:
            for key in read.keys:
                out.setdefault(key, []).append(read)
        return out
