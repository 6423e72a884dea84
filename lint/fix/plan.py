"""The whole fix as one change set: retire the reads, delete the definitions named, then cascade
until nothing more changes: what was reachable before the edit and no longer is (by the call
graph of the edited copy) is deleted, and so are module-level imports and constants that were used
before and are not now. Finally the edited copy must compile and `check` must find nothing new."""

from __future__ import annotations

import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from knightwatch.errors import KnightwatchError
from knightwatch.fix.prune import binding_counts, remove_bindings, remove_defs, remove_registry_entry, used_names
from knightwatch.fix.rewrite import Retirement, retire
from knightwatch.fix.workspace import Workspace, read_source, static_check
from knightwatch.source.schema import Tag

WHOLE = "*"  # "the module object itself is imported: any of its names may be used"
MAX_ROUNDS = 25


@dataclass
class FixPlan:
    """Relative path -> (text before, text after); None means the file does not exist then."""

    changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)  # relative path -> encoding (UTF-8 if absent)


def imported_names(analysis) -> dict[str, dict[str, set[tuple[str, str]]]]:
    """Project module -> name -> the (module, bound name) pairs that import it; name WHOLE for the
    modules that import the module object itself."""
    modules = {i.source.module for i in analysis.files.values() if i.summary is not None}
    out: dict[str, dict[str, set[tuple[str, str]]]] = {}

    def add(target: str, name: str, importer: str, bound: str) -> None:
        out.setdefault(target, {}).setdefault(name, set()).add((importer, bound))

    for info in analysis.files.values():
        if info.summary is None:
            continue
        importer = info.source.module
        for scope in info.summary["scopes"].values():
            for bound, exprs in scope.get("names", {}).items():
                for expr in exprs:
                    if expr[0] == Tag.FROM and expr[1] in modules:
                        sub = f"{expr[1]}.{expr[2]}"
                        if sub in modules:
                            add(sub, WHOLE, importer, bound)
                        else:
                            add(expr[1], expr[2], importer, bound)
                    elif expr[0] == Tag.IMPORT:
                        for module in modules:
                            if module == expr[1] or module.startswith(expr[1] + "."):
                                add(module, WHOLE, importer, bound)
            for sub in scope.get("submodules", ()):
                add(sub, WHOLE, importer, sub)
    return out


@contextmanager
def _editing(path: str):
    """LibCST's refusal to parse PATH (syntax it does not know yet) as a one-line error."""
    try:
        yield
    except cst.ParserSyntaxError as exc:
        raise KnightwatchError(f"fix: {path}: LibCST cannot parse it (line {exc.raw_line}: {exc.message}); "
                               "nothing written") from None


def _attribute_loads(analysis) -> set[str]:
    """Every attribute name loaded anywhere (`x.NAME`): a name that may be used through its module or class."""
    return {e[1][2] for i in analysis.files.values() if i.summary for e in i.summary["attr_loads"] if e[1][0] == Tag.ATTR}


def _declares_nothing(text: str) -> bool:
    """TEXT holds only a docstring, imports, `__all__` and `pass`."""
    for stmt in cst.parse_module(text).body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue
            if isinstance(small, (cst.Import, cst.ImportFrom, cst.Pass)):
                continue
            if isinstance(small, cst.Assign) and [t.target for t in small.targets if
                                                  isinstance(t.target, cst.Name) and t.target.value == "__all__"]:
                continue
            return False
    return True


def _key_assignments(body, keys: set[str]) -> list[str]:
    """Names assigned one of KEYS as a string literal by the statements of BODY."""
    found = []
    for line in body:
        if isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], cst.Assign):
            assign = line.body[0]
            if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name) and \
                    isinstance(assign.value, cst.SimpleString) and assign.value.evaluated_value in keys:
                found.append(assign.targets[0].target.value)
    return found


def _relative(root: Path, given: str) -> str:
    """GIVEN (a --select path, relative to ROOT or absolute) as a normalised POSIX path under ROOT."""
    path = Path(os.path.normpath(given))
    if path.is_absolute():
        try:
            path = path.relative_to(root.resolve())
        except ValueError:
            raise KnightwatchError(f"--select {given}: not under the project {root}") from None
    if path.parts[:1] == ("..",):
        raise KnightwatchError(f"--select {given}: not under the project {root}")
    return path.as_posix()


def _selected(path: str, select: list[str]) -> bool:
    return not select or any(path == s or path.startswith(s.rstrip("/") + "/") for s in select)


class _Planner:
    def __init__(self, analysis, select: list[str]):
        self.analysis = analysis
        self.root: Path = analysis.config.root
        self.select = [_relative(self.root, s) for s in select]
        if "." in self.select:  # the whole project
            self.select = []
        sources = {p: read_source(i.source.abspath) for p, i in analysis.files.items() if i.summary is not None}
        self.infos = {p: analysis.files[p] for p, read in sources.items() if read is not None}
        self.module_of = {p: i.source.module for p, i in self.infos.items()}
        self.path_of = {m: p for p, m in self.module_of.items()}
        self.original = {p: sources[p][0] for p in self.infos}
        self.encodings = {p: sources[p][1] for p in self.infos}
        self.texts: dict[str, str | None] = dict(self.original)
        self.reach0 = set(analysis.reach_all)
        self.imported0 = imported_names(analysis)
        self.attrs0 = _attribute_loads(analysis)
        self.used0 = {p: self._used(p, t, self.imported0) for p, t in self.original.items()}
        self.notes: list[str] = []
        self.class_keys: set[str] = set()
        self.last = analysis  # the latest analysis of the edited copy
        self.dead: set[str] = set()  # definitions to delete, by qualified name

    def _used(self, path: str, text: str, imported: dict[str, set[str]]) -> set[str] | None:
        """Module-level names of PATH in use (None: all, the module object is imported somewhere)."""
        others = set(imported.get(self.module_of[path], {}))
        if WHOLE in others:
            return None
        return {n for n, used in used_names(text).items() if used} | others

    # ---- retiring -------------------------------------------------------------------------
    def retire(self, values: dict[str, bool]) -> None:
        """Rewrite every read of the keys of VALUES."""
        flags, cg = self.analysis.flags, self.analysis.callgraph
        plans: dict[str, Retirement] = {}
        for module, sites in cg.sites_by_module.items():
            for site in sites:
                if site.path not in self.texts or not _selected(site.path, self.select):
                    continue
                read = flags.read_at(site)
                if read is None or not set(read.keys) & set(values):
                    continue
                if read.key is None:
                    self.notes.append(f"{site.path}:{site.line}: read kept: its key may be any of "
                                      f"{', '.join(read.keys)}")
                    continue
                plan = plans.setdefault(site.path, Retirement({}))
                span = (site.line, site.column, site.end_line, site.end_column)
                plan.values[span] = values[read.key]
                plan.keys[span] = read.key
        for key in sorted(values):
            self.notes += [f"{r.path}:{r.line}: read of {key} kept: it reads configuration ({r.via}); fix rewrites "
                           "flag SDK reads only" for r in flags.by_key().get(key, [])
                           if r.from_config and r.path in self.texts and _selected(r.path, self.select)]
        for path, plan in sorted(plans.items()):
            imported = frozenset(self.imported0.get(self.module_of[path], {}))
            with _editing(path):
                self.texts[path] = retire(self.texts[path], path, plan, imported)
            self.notes += plan.notes
        self.class_keys |= set(values)

    def delete(self, qnames: set[str], analysis) -> None:
        """Delete the definitions (functions, classes, modules) QNAMES of ANALYSIS (of the current
        texts); a definition inside another one deleted goes with it."""
        idx, g = analysis.index, analysis.callgraph.graph
        lines: dict[str, set[int]] = {}
        for q in sorted(qnames):
            module, scope, entry = idx.defs[q]
            parent = module if not scope else f"{module}.{entry['parent']}" if entry["parent"] else module
            path = g.nodes[q]["path"]
            if parent != q and parent in qnames or not _selected(path, self.select):
                continue
            if entry["kind"] == "module":
                self._delete_module(path)
            elif entry["kind"] in ("function", "class"):
                lines.setdefault(path, set()).add(entry["line"])
        for path, found in lines.items():
            if self.texts.get(path) is not None:
                with _editing(path):
                    self.texts[path] = remove_defs(self.texts[path], found)

    def _delete_module(self, path: str) -> None:
        """Delete the module at PATH; a package's `__init__` only when it defines nothing (its other
        modules, already unreachable, are left as they were)."""
        if self.texts.get(path) is None:
            return
        if self.infos[path].source.is_package and not _declares_nothing(self.texts[path]):
            return
        self.texts[path] = None

    # ---- the cascade ----------------------------------------------------------------------
    def cascade(self, workspace: Workspace) -> None:
        """Delete what the edit left unused, round after round, until a round deletes nothing."""
        workspace.write({p: t for p, t in self.texts.items() if self.original.get(p) != t}, self.encodings)
        for _ in range(MAX_ROUNDS):
            before = dict(self.texts)
            now = self.last = workspace.analyse()
            if self.dead:  # named by the original analysis: found again by name, lines have moved
                self.delete({q for q in self.dead if q in now.index.defs}, now)
                self.dead = set()
            self._unreached(now)
            self._unused(now)
            if self.texts == before:
                return
            workspace.write({p: t for p, t in self.texts.items() if before.get(p) != t}, self.encodings)
        raise KnightwatchError("fix: the cascade did not settle; nothing written")

    def _unreached(self, now) -> None:
        """Delete what was reachable before the edit and is not now: only the deleted code reached it."""
        self.delete({q for q in now.index.defs if q in self.reach0 and q not in now.reach_all}, now)

    def _unused(self, now) -> None:
        """Delete module-level imports and constants used before the edit and unused now."""
        imported = imported_names(now)
        attrs = _attribute_loads(now)
        for path, text in list(self.texts.items()):
            if text is None or not _selected(path, self.select):
                continue
            before = self.used0[path]
            used = self._used(path, text, imported)
            if before is None:  # the module object was imported: its names may have been used as attributes
                before = {n for n, u in used_names(self.original[path]).items() if u or n in self.attrs0}
            gone = before - used if used is not None else set()
            names, class_attrs = self._key_constants(path, text, attrs, imported)
            gone |= names | self._dangling(now, path)
            counts = binding_counts(text)
            gone = {n for n in gone if counts.get(n) == 1}  # a name bound twice is not a plain constant
            if gone or class_attrs:
                with _editing(path):
                    self.texts[path] = remove_bindings(text, gone, class_attrs)

    def _key_constants(self, path: str, text: str, loaded: set[str],
                       imported: dict[str, set[str]]) -> tuple[set[str], set[tuple[str, str]]]:
        """Constants holding a retired key that nothing uses now: module-level names (even where the
        module object is imported, when no attribute of that name is loaded) and class attributes
        (constants, enum members) that no attribute load names."""
        if not self.class_keys:
            return set(), set()
        names, attrs = set(), set()
        used = used_names(text)
        by_name = {name for name, importers in imported.get(self.module_of[path], {}).items()
                   if any(self._uses(module, bound) for module, bound in importers)}
        for stmt in cst.parse_module(text).body:
            if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
                attrs |= {(stmt.name.value, name) for name in _key_assignments(stmt.body.body, self.class_keys)
                          if name not in loaded}
            elif isinstance(stmt, cst.SimpleStatementLine):
                names |= {name for name in _key_assignments([stmt], self.class_keys)
                          if not used.get(name) and name not in by_name and name not in loaded}
        return names, attrs

    def _uses(self, module: str, bound: str) -> bool:
        """Whether MODULE refers to its name BOUND (listing it in `__all__` only re-exports it)."""
        text = self.texts.get(self.path_of.get(module, ""))
        return text is not None and used_names(text, exports=False).get(bound, False)

    def _dangling(self, now, path: str) -> set[str]:
        """Names PATH imports from a project module that no longer defines them."""
        info = now.files.get(path)
        if info is None or info.summary is None:
            return set()
        found = set()
        for bound, exprs in info.summary["scopes"][""].get("names", {}).items():
            for expr in exprs:
                if expr[0] != Tag.FROM or expr[1] not in self.path_of or f"{expr[1]}.{expr[2]}" in self.path_of:
                    continue
                target = self.texts.get(self.path_of[expr[1]])
                if target is None or expr[2] not in used_names(target):
                    found.add(bound)
        return found

    # ---- the result -----------------------------------------------------------------------
    def registry(self, keys: set[str]) -> dict[str, tuple[str, str]]:
        reg = self.analysis.registry
        if reg is None or not keys:
            return {}
        file = (self.root / reg.path)
        if not file.is_file() or not file.resolve().is_relative_to(self.root.resolve()):
            return {}
        text = file.read_text(encoding="utf-8")
        after = text
        for key in sorted(keys & set(reg.flags)):
            after = remove_registry_entry(after, key)
        return {reg.path: (text, after)} if after != text else {}

    def verify(self, workspace: Workspace, changes: dict[str, tuple[str | None, str | None]]) -> None:
        """Every edited file compiles and a check of the copy finds nothing the original did not."""
        for path, (_, after) in sorted(changes.items()):
            if after is None or not path.endswith(".py"):
                continue
            try:
                compile(after, path, "exec", dont_inherit=True)
            except SyntaxError as exc:
                raise KnightwatchError(f"fix: {path} would not compile ({exc.msg}, line {exc.lineno}); "
                                       "nothing written") from None
        workspace.write({p: a for p, (_, a) in changes.items()}, self.encodings)
        key = lambda f: (f.rule, f.path, f.symbol)  # noqa: E731 (line numbers move with the edit)
        before = Counter(key(f) for f in static_check(self.root).findings)
        after = Counter(key(f) for f in workspace.check().findings)
        new = sorted((after - before).elements())
        if new:
            rule, path, symbol = new[0]
            raise KnightwatchError(f"fix: the edit of {path} would add a {rule} finding"
                                   f"{f' ({symbol})' if symbol else ''}; nothing written")


def plan_fix(analysis, *, values: dict[str, bool], dead: set[str] = frozenset(),
             select: list[str] = ()) -> FixPlan:
    """The change set that retires the flags of VALUES, deletes the definitions DEAD, and cascades."""
    planner = _Planner(analysis, list(select))
    planner.retire(values)
    planner.dead = set(dead)
    with Workspace(planner.root) as workspace:
        if planner.texts != planner.original or planner.dead:
            planner.cascade(workspace)
        changes = {p: (planner.original.get(p), t) for p, t in planner.texts.items() if planner.original.get(p) != t}
        changes.update(planner.registry(set(values) - set(planner.last.flags.by_key())))
        if changes:
            planner.verify(workspace, changes)
    return FixPlan(changes, planner.notes, planner.encodings)
