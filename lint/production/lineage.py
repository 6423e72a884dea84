"""Flag lineage: what each flag key gated in each release, read from git history.

Releases are the tags matching `[tool.knightwatch.releases] tags` (the newest `max`), else the last
`max` commits that changed a line calling a flag accessor; every host's revision joins them, and the
working tree is the last. A release's files are read through `revisions.Git` (one `cat-file
--batch`), their summaries come from the per-file cache (keyed by content: a file unchanged between
releases is summarised once), and each commit's meanings are cached by commit, so a second run
reads one small entry per release.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
import zlib
from contextlib import ExitStack
from dataclasses import dataclass
from difflib import SequenceMatcher
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING

from knightwatch.source.cache import Cache, content_key, tool_digest
from knightwatch.config import DEFAULT_ACCESSORS, Config
from knightwatch.errors import KnightwatchError
from knightwatch.production.gitcmd import git
from knightwatch.source.layout import mapped_module
from knightwatch.source.parse import decode
from knightwatch.production.revisions import Git, head_commit
from knightwatch.source.sources import SKIP_DIRS, module_name

if TYPE_CHECKING:  # the analysis stages load only when lineage is built, not when a stored run is checked
    from knightwatch.graphs.callgraph import CallGraph
    from knightwatch.graphs.flags import FlagGraph

#: how alike two function bodies must be (difflib ratio over their lines) to be one function renamed or moved
SAME_BODY = 0.6
WORKING_TREE = "working tree"


@dataclass(frozen=True)
class Gated:
    """A project function a flag's on-branch calls, with what identifies it once renamed or moved."""

    qname: str
    body: tuple[int, ...]  # crc32 of each stripped, non-blank body line

    def same_code(self, other: Gated) -> bool:
        """The same function, perhaps edited in place, renamed or moved (not another one)."""
        if self.qname == other.qname:
            return True
        short = min(len(self.body), len(other.body))
        alike = SequenceMatcher(None, self.body, other.body, autojunk=False).ratio() >= SAME_BODY
        return alike and (short >= 2 or self.qname.rpartition(".")[2] == other.qname.rpartition(".")[2])


@dataclass(frozen=True)
class Meaning:
    """What one flag key did in one release: its reads, the functions they gate and the sinks those reach."""

    key: str
    reads: tuple[tuple[str, int, int, str, str], ...]  # path, line, column, as written, reading function
    gated: tuple[Gated, ...]
    sinks: tuple[str, ...]
    flow: tuple[tuple[str, int, int, str], ...]  # read -> gated call -> ... -> sink, as TraceStep fields
    owner: str  # the registry's, "" when unregistered

    def change(self, other: Meaning) -> str:
        """How OTHER's behaviour differs from this one's ("" when it is the same code, edited or moved)."""
        if not self.gated or not other.gated:
            return ""
        if not any(a.same_code(b) for a in self.gated for b in other.gated):
            return "different functions"
        if self.sinks and other.sinks and not set(self.sinks) & set(other.sinks):
            return "different sinks"
        return ""

    def describe(self, verb: str = "gated") -> str:
        text = f"{verb} " + (", ".join(g.qname for g in self.gated) if self.gated else "nothing")
        if self.sinks:
            text += f" (reaching {', '.join(self.sinks)})"
        return text + (f", owner {self.owner}" if self.owner else "")

    def as_data(self) -> tuple:
        return (self.key, self.reads, tuple((g.qname, g.body) for g in self.gated), self.sinks,
                self.flow, self.owner)

    @classmethod
    def from_data(cls, data: tuple) -> Meaning:
        key, reads, gated, sinks, flow, owner = data
        return cls(key, tuple(map(tuple, reads)), tuple(Gated(*g) for g in gated), tuple(sinks),
                   tuple(map(tuple, flow)), owner)


@dataclass(frozen=True)
class Release:
    """One point of the history: a tag, a commit (short sha) or the working tree, and its flags' meanings."""

    name: str
    sha: str | None  # None for the working tree
    meanings: dict[str, Meaning]


@dataclass
class Lineage:
    """The releases, oldest first (the working tree last), and the release each host ran."""

    releases: list[Release]
    hosts: dict[str, str]  # host -> release name
    summarised: int = 0  # files summarised for this lineage (not found in the cache)
    cached: int = 0  # releases whose meanings came from the cache

    def hosts_on(self, names) -> list[str]:
        wanted = set(names)
        return sorted(h for h, name in self.hosts.items() if name in wanted)

    def timeline(self, key: str) -> list[tuple[Release, Meaning | None]]:
        """KEY's meaning in each release (None where no code reads it and the registry lacks it)."""
        return [(r, r.meanings.get(key)) for r in self.releases]

    def keys(self) -> list[str]:
        return sorted({k for r in self.releases for k in r.meanings})


def _body(text_lines: list[str], start: int, end: int) -> tuple[int, ...]:
    rows = (line.strip() for line in text_lines[start - 1:end])
    return tuple(zlib.crc32(r.encode()) for r in rows if r and not r.startswith("#"))


def meanings(cg: CallGraph, flags: FlagGraph, sinks: list[str], registry, texts: dict[str, str]) -> dict[str, Meaning]:
    """Each flag key's meaning in one tree (its call graph, flag graph, sinks, registry and texts)."""
    import networkx as nx

    g = cg.graph
    calls = g.edge_subgraph([(a, b) for a, b, k in g.edges(data="kind") if k != "ref"])
    reach = {s: nx.ancestors(calls, s) | {s} for s in sinks if s in calls}
    lines: dict[str, list[str]] = {}
    specs = registry.flags if registry else {}
    out: dict[str, Meaning] = {}
    for key, reads in flags.by_key().items():
        gated: dict[str, Gated] = {}
        first_site: dict[str, tuple] = {}
        for r in reads:
            for reg in r.regions:
                for site in reg.sites if reg.on else ():
                    for t in sorted(site.targets):
                        data = g.nodes.get(t)
                        if not data or not data.get("path") or t in gated:
                            continue
                        rows = lines.setdefault(data["path"], texts.get(data["path"], "").splitlines())
                        gated[t] = Gated(t, _body(rows, data["body"] or data["line"], data["end"]))
                        first_site[t] = (r, site)
        reached = sorted(s for s, anc in reach.items() if anc & set(gated))
        flow: list[tuple[str, int, int, str]] = []
        if gated:
            target = next((t for t in gated if any(t in reach[s] for s in reached)), next(iter(gated)))
            r, site = first_site[target]
            flow.append((r.path, r.line, r.site.column, f"reads {key!r} via {r.via} in {r.site.caller}"))
            flow.append((r.path, site.line, site.column, f"gates a call to {target}"))
            sink = next((s for s in reached if target in reach[s]), None)
            for q in nx.shortest_path(calls, target, sink)[1:] if sink else ():
                data = g.nodes[q]
                flow.append((data["path"] or r.path, data["line"] or site.line, 1,
                             f"{'reaches the sink' if q == sink else 'calls'} {q}"))
        spec = specs.get(key)
        out[key] = Meaning(key, tuple(sorted((r.path, r.line, r.site.column, r.via, r.site.caller) for r in reads)),
                           tuple(gated.values()), tuple(reached), tuple(flow), spec.owner if spec else "")
    for key, spec in specs.items():
        out.setdefault(key, Meaning(key, (), (), (), (), spec.owner))  # declared, read nowhere: not retired
    return out


def _sources(tree: dict[str, str], config: Config) -> dict[str, tuple[str, bool]]:
    """Project-relative path -> (module, is package) of the files at a commit that `discover` would
    find in the working tree (same `source` entries, excludes and skipped folders)."""
    out: dict[str, tuple[str, bool]] = {}
    for entry in config.source or ["."]:
        entry = entry.strip("/") if entry not in (".", "./") else ""
        if entry.endswith(".py"):
            if entry in tree:
                out[entry] = (mapped_module(entry, config.package_dirs) or module_name(entry), False)
            continue
        package = f"{entry}/__init__.py" in tree if entry else False
        base = entry.rpartition("/")[0] if package else entry
        for rel in tree:
            if entry and not rel.startswith(entry + "/"):
                continue
            parts = rel.split("/")
            if any(p in SKIP_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
                continue
            if any(fnmatch(rel, pat) or fnmatch(parts[-1], pat) for pat in config.exclude):
                continue
            name = mapped_module(rel, config.package_dirs) or module_name(rel, base)
            out[rel] = (name, parts[-1] == "__init__.py")
    return out


def _registry_at(repo: Git, sha: str, config: Config):
    """The flag registry as committed at SHA (None when absent or unreadable then)."""
    from knightwatch.graphs.flags import load_registry

    if config.registry is None or not config.registry.resolve().is_relative_to(config.root):
        return None
    data = repo.data(f"{sha}:{repo.prefix}{config.registry.resolve().relative_to(config.root).as_posix()}")
    if data is None:
        return None
    with tempfile.TemporaryDirectory(prefix="kw-registry-") as tmp:
        file = Path(tmp) / "flags.toml"
        file.write_bytes(data)
        try:
            return load_registry(file, Path(tmp))
        except KnightwatchError:  # an old registry this version cannot read: its keys are unknown there
            return None


def meanings_at(repo: Git, sha: str, config: Config, cache: Cache) -> tuple[dict[str, Meaning], int]:
    """The meanings of every flag key at commit SHA, and how many files had to be summarised (those
    not in the cache, across a process pool for many, as the working tree's are)."""
    from knightwatch.source.workers import summarise_all
    from knightwatch.graphs.callgraph import CallGraph
    from knightwatch.graphs.flags import FlagGraph
    from knightwatch.graphs.index import Index

    tree = repo.tree(sha)
    files: dict[str, tuple[str, str, dict | None]] = {}  # relpath -> module, text, record
    jobs = []
    for rel, (module, is_package) in sorted(_sources(tree, config).items()):
        data = repo.data(tree[rel])
        if data is None or len(data) > config.max_file_size:
            continue
        try:
            text = decode(data)
        except SyntaxError:
            continue
        key = content_key(data, module, is_package)
        files[rel] = (module, text, cache.get(key))
        if files[rel][2] is None:
            jobs.append((rel, module, is_package, text, key))
    with ExitStack() as stack:
        made, refused = summarise_all(jobs, cache, None, stack)
        made.update(refused())
    summaries: dict[str, dict] = {}
    paths: dict[str, str] = {}
    texts: dict[str, str] = {}
    for rel, (module, text, record) in files.items():
        record = record or made[rel]
        if "scopes" in record:
            summaries[module], paths[module], texts[rel] = record, rel, text
    cg = CallGraph(Index(summaries), paths).build()
    return meanings(cg, FlagGraph(cg, config), config.sinks, _registry_at(repo, sha, config), texts), len(jobs)


def _checked_out(repo: Git, sha: str, config: Config, analysis) -> bool:
    """Whether the working tree holds exactly SHA's analysed files (and registry): same meanings."""
    if config.history or set(_sources(repo.tree(sha), config)) != set(analysis.files):
        return False  # an exported copy is not the working tree git would compare
    try:
        return git(config.root, "diff", "--quiet", sha, "--", ".", timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _config_digest(config: Config) -> bytes:
    """What a commit's meanings depend on besides its content and knightwatch itself."""
    registry = config.registry.resolve().relative_to(config.root).as_posix() \
        if config.registry and config.registry.resolve().is_relative_to(config.root) else ""
    return repr((config.source, config.exclude, config.accessors, config.sinks, registry,
                 sorted(config.package_dirs.items()), config.max_file_size)).encode()


def _cache_key(sha: str, config: Config) -> str:
    h = hashlib.blake2b(tool_digest(), digest_size=20)
    h.update(sha.encode() + b"\0" + _config_digest(config))
    return h.hexdigest()


def _out(repo: Git, *args: str) -> list[str]:
    try:
        done = git(repo.top, *args, text=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise KnightwatchError(f"flag lineage: git {args[0]}: {exc}") from None
    if done.returncode != 0:
        raise KnightwatchError(f"flag lineage: git {' '.join(args[:2])}: "
                               f"{(done.stderr.strip().splitlines() or [done.returncode])[-1]}")
    return done.stdout.split("\n")


def release_points(repo: Git, config: Config) -> list[tuple[str, str]]:
    """(name, commit) of the configured releases, oldest first: the newest matching tags, else the
    newest commits among the last HISTORY_LIMIT (lint/production/revisions.py) that changed a flag-accessor line."""
    pattern, limit = config.releases
    upto = config.history[1] if config.history else "HEAD"
    if pattern:
        merged = ["--merged", upto] if config.history else []  # an exported revision: the releases it followed
        rows = _out(repo, "tag", "--list", pattern, *merged, "--sort=creatordate",
                    "--format=%(refname:short) %(objectname) %(*objectname)")
        tags = [(parts[0], parts[-1]) for parts in (row.split() for row in rows) if len(parts) >= 2]
        return tags[-limit:]
    names = sorted({a.rpartition(".")[2] for a in config.accessors} | set(DEFAULT_ACCESSORS)
                   | {"getenv", "environ"})
    regex = r"\b(" + "|".join(re.escape(n) for n in names) + r")\b"
    window = repo.history()  # git log -G diffs every commit it passes: only the recent ones are searched
    if not window:
        return []
    shas = [s for s in _out(repo, "log", "--format=%H", f"--max-count={limit}", "-E", f"-G{regex}", upto,
                             "--not", f"{window[-1]}^@", "--", repo.prefix or ".") if s]
    return [(s[:10], s) for s in reversed(shas)]


def stamp(config: Config) -> str:
    """What lineage read from git that a stored run must match: HEAD and the release tags."""
    if config.releases is None:
        return ""
    repo = Git.open(config.history[0] if config.history else config.root)
    if repo is None:
        return ""
    try:
        return head_commit(config.history[0] if config.history else config.root) + repr(release_points(repo, config))
    except KnightwatchError as exc:
        return str(exc)
    finally:
        repo.close()


def _ordered(repo: Git, shas: list[str]) -> list[str]:
    """SHAS oldest first (parents before children)."""
    if not shas:
        return []
    position = {s: i for i, s in enumerate(s for s in _out(repo, "rev-list", "--topo-order", *shas) if s)}
    return sorted(shas, key=lambda s: -position.get(s, -1))


def build(analysis, cache: Cache) -> Lineage | None:
    """The lineage of every flag of ANALYSIS's project (None unless `[tool.knightwatch.releases]`)."""
    config = analysis.config
    if config.releases is None:
        return None
    repo = Git.open(config.history[0] if config.history else config.root)
    if repo is None:
        raise KnightwatchError(f"{config.where}: [tool.knightwatch.releases] needs the project in a git "
                               "repository with commits")
    try:
        names = {sha: name for name, sha in release_points(repo, config)}
        if not names:
            pattern = config.releases[0]
            found = f"no tag matches {pattern!r}" if pattern else "no commit changed a flag read"
            analysis.notes.append(f"flag lineage: {found}; only the hosts' revisions and the working tree are compared")
        revisions = analysis.coverage.revisions if analysis.coverage else {}
        host_sha = {h: rev.sha for h, rev in revisions.items() if rev.sha}
        for sha in sorted(set(host_sha.values()) - set(names)):
            names[sha] = sha[:10]
        lineage = Lineage([], {h: names[sha] for h, sha in host_sha.items()})
        texts = {i.path: i.text for i in analysis.files.values() if i.summary is not None}
        now = meanings(analysis.callgraph, analysis.flags, config.sinks, analysis.registry, texts)
        for sha in _ordered(repo, list(names)):
            key = _cache_key(sha, config)
            stored = cache.get_lineage(key)
            if isinstance(stored, dict):
                found = {k: Meaning.from_data(v) for k, v in stored.items()}
                lineage.cached += 1
            else:
                if _checked_out(repo, sha, config, analysis):  # the usual last release: no second call graph
                    found = now
                else:
                    found, made = meanings_at(repo, sha, config, cache)
                    lineage.summarised += made
                cache.put_lineage(key, {k: m.as_data() for k, m in found.items()})
            lineage.releases.append(Release(names[sha], sha, found))
    finally:
        repo.close()
    lineage.releases.append(Release(WORKING_TREE, None, now))
    return lineage
