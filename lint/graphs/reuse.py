"""Reuse of the last run's whole-program stage (index and call graph) when no summary changed
but for positions.

`CallGraph(Index(summaries), paths).build()` reads nothing but the summaries and the module paths,
and of positions (lines, columns, where a call sits in its block) it only copies them to its result:
no resolution reads one. So when every file's summary and path equal those of the run that stored
the stage but for positions and fields the stage never reads (`unplaced`), the stored index and
call graph are that build's result once their positions are taken from the current summaries
(`CallGraph.rebase`). An edit that adds comments or blank lines, or reflows code, then costs the
rules and the stages that read the text, not the call graph.
Any other summary change means a full build: the stage is never patched.

The state is stored right after `build`, before anything else resolves through the index (the flag
graph, safety, liveness do, and memoise), so what runs afterwards sees exactly what it would see
after a fresh build; `rebase` gives it the current summaries. Stages are pickled; loading admits
only the classes a stage is made of.

One stage per cache directory (the default directory is the project's own), holding no absolute
path: a cache restored in CI into another checkout is reused. The key digests knightwatch's build
(its source, version and Python version) besides the summaries and paths (which the configuration's
`source`, `exclude` and package mapping decide), so another build, Python or configuration never
loads a stage that is not its own.
"""

from __future__ import annotations

import copyreg
import hashlib
import marshal
import os
import pickle
import tempfile
from contextlib import suppress
from dataclasses import fields
from pathlib import Path

from knightwatch.source.cache import Cache, tool_digest
from knightwatch.graphs.callgraph import CallGraph, CallSite
from knightwatch.graphs.index import Index

MAGIC = b"KWG1"
#: summary fields the index and call graph never read (the flag graph, the rules and the decision
#: layer read them from the current summaries); any other field is part of the key
NOT_READ = frozenset({"gates", "ignores", "nlines", "words", "annotations", "main_block"})
#: positions in a scope entry; the call graph copies them to its nodes and edges
PLACES = frozenset({"line", "end", "body", "deco_lines"})
#: lists whose items are placed: calls ([scope, callee, line, col, end_line, end_col, cond, pos,
#: args, kwargs, tag]) and loads and stores ([scope, expr, line])
PLACED_LISTS = ("calls", "name_loads", "attr_loads", "attr_stores")
HEAD = len(MAGIC) + 40  # magic, hex key


def stage_key(summaries: dict[str, dict], paths: dict[str, str]) -> str:
    """A digest of everything the whole-program stage reads: the tool, and every module's path and
    summary but for positions (`unplaced`). Marshal format 0 has no references or interned strings:
    its bytes are the same for equal summaries however they were made or loaded."""
    h = hashlib.blake2b(tool_digest(), digest_size=20)
    for module, summary in summaries.items():  # in the index's order: the order matters to it too
        h.update(marshal.dumps((module, paths[module], unplaced(summary)), 0))
    return h.hexdigest()


def unplaced(summary: dict) -> tuple:
    """SUMMARY without what the stage does not read (NOT_READ) and without the positions it only
    copies to its result (PLACES), which `CallGraph.rebase` takes from the current summaries."""
    rest = tuple((k, v) for k, v in summary.items() if k not in NOT_READ and k not in PLACED_LISTS and k != "scopes")
    scopes = tuple((s, tuple((k, v) for k, v in e.items() if k not in PLACES)) for s, e in summary["scopes"].items())
    calls = tuple((c[:2], c[8:]) for c in summary["calls"])
    loads = tuple(tuple(x[:2] for x in summary.get(k, ())) for k in PLACED_LISTS if k != "calls")
    return rest, scopes, calls, loads


#: what a stored stage is made of: anything else in a stage file means it is not one of ours (a cache
#: restored in CI may come from elsewhere, and unpickling must never run a function it names)
ALLOWED = frozenset({("knightwatch.graphs.callgraph", "CallGraph"), ("knightwatch.graphs.callgraph", "CallSite"),
                     ("knightwatch.graphs.index", "Index"), ("collections", "defaultdict"), ("builtins", "dict"),
                     ("builtins", "set"), ("builtins", "list"), ("networkx.classes.digraph", "DiGraph"),
                     ("knightwatch.graphs.reuse", "_restored")})
#: in the compiled build (mypyc), the stage's classes have no `__dict__` and their constructor runs
#: `__init__`, so they are pickled as their attributes and restored onto a blank instance
COMPILED = hasattr(CallGraph, "__mypyc_attrs__")
BLANK = {CallGraph: lambda: CallGraph(Index({}), {}), Index: lambda: Index({})}


def _attributes(obj: CallGraph | Index) -> tuple:
    names = type(obj).__mypyc_attrs__
    return _restored, (type(obj), {name: getattr(obj, name) for name in names if hasattr(obj, name)})


def _site_fields(site: CallSite) -> tuple:
    return CallSite, tuple(getattr(site, f.name) for f in fields(CallSite))


def _restored(cls: type, state: dict) -> CallGraph | Index:
    """A compiled CLS with the attributes in STATE (those missing were deleted when it was stored)."""
    obj = BLANK[cls]()
    for name in cls.__mypyc_attrs__:
        if name in state:
            setattr(obj, name, state[name])
        elif hasattr(obj, name):
            delattr(obj, name)
    return obj


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a stored stage")
        return super().find_class(module, name)


def _file(cache: Cache) -> Path:
    assert cache.directory is not None
    return cache.directory / "stage.pickle"


def load(cache: Cache, key: str) -> CallGraph | None:
    """The call graph (with its index) stored in CACHE under KEY; None if there is none, it was stored
    under another key, or it cannot be read back."""
    if cache.directory is None:
        return None
    try:
        with open(_file(cache), "rb") as fh:
            head = fh.read(HEAD)
            if head != MAGIC + key.encode():
                return None
            found = _Unpickler(fh).load()
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError,
            ValueError, IndexError, RecursionError):
        return None
    return found if isinstance(found, CallGraph) else None


def store(cache: Cache, key: str, cg: CallGraph) -> None:
    """Store CG (and its index) in CACHE under KEY, in place of the last; a stage that cannot be
    written only costs time."""
    if cache.directory is None:
        return
    path = _file(cache)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:  # pickled straight to the file: no second copy in memory
            fh.write(MAGIC + key.encode())
            pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
            if COMPILED:
                pickler.dispatch_table = {**copyreg.dispatch_table, CallGraph: _attributes, Index: _attributes,
                                          CallSite: _site_fields}
            pickler.dump(cg)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
