"""LibCST codemods that delete what a retired branch alone used: definitions (by the line of their
name, as the analysis gives it), module-level imports and constants, `__all__` entries, and the
registry's table for a retired key (flags.toml is TOML: edited as text, its other lines kept)."""

from __future__ import annotations

import functools
import re

import libcst as cst
from libcst.metadata import GlobalScope, MetadataWrapper, PositionProvider, ScopeProvider

from knightwatch.fix.nodes import pure, without


def _pass_if_empty(block: cst.IndentedBlock) -> cst.IndentedBlock:
    return block if block.body else block.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])


class _Dropping(cst.CSTTransformer):
    """Statements marked (by id) in `gone` while leaving them are dropped by the block holding them."""

    def __init__(self):
        super().__init__()
        self.gone: set[int] = set()
        self.held: list[cst.CSTNode] = []  # the marked nodes, kept alive so that no new node gets their id

    def _drop(self, node):
        self.gone.add(id(node))
        self.held.append(node)
        return node

    def leave_IndentedBlock(self, original, updated):
        return _pass_if_empty(updated.with_changes(body=without(updated.body, lambda s: id(s) in self.gone)))

    def leave_Module(self, original, updated):
        return updated.with_changes(body=without(updated.body, lambda s: id(s) in self.gone))


class _RemoveDefs(_Dropping):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, lines: set[int]):
        super().__init__()
        self.lines = lines

    def _gone(self, node) -> bool:
        return self.get_metadata(PositionProvider, node.name).start.line in self.lines

    def leave_FunctionDef(self, original, updated):
        return self._drop(updated) if self._gone(original) else updated

    def leave_ClassDef(self, original, updated):
        return self._drop(updated) if self._gone(original) else updated


def remove_defs(text: str, lines: set[int]) -> str:
    """TEXT without the functions and classes whose name is on one of LINES."""
    return MetadataWrapper(cst.parse_module(text)).visit(_RemoveDefs(lines)).code


def _all_names(module: cst.Module) -> set[str]:
    names = set()
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], (cst.Assign, cst.AugAssign)):
            small = stmt.body[0]
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            if any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets) and \
                    isinstance(small.value, (cst.List, cst.Tuple)):
                names |= {e.value.evaluated_value for e in small.value.elements
                          if isinstance(e.value, cst.SimpleString)}
    return names


@functools.lru_cache(maxsize=256)  # the cascade asks again about every file it did not change
def used_names(text: str, exports: bool = True) -> dict[str, bool]:
    """Module-level names bound in TEXT (imports, plain assignments, defs) -> whether the module uses
    them (a reference, or with EXPORTS an entry of `__all__`)."""
    wrapper = MetadataWrapper(cst.parse_module(text))
    scopes = wrapper.resolve(ScopeProvider)
    exported = _all_names(wrapper.module) if exports else set()
    glob = next((s for s in scopes.values() if isinstance(s, GlobalScope)), None)
    out: dict[str, bool] = {}
    if glob is None:
        return out
    for assignment in glob.assignments:
        name = assignment.name
        out[name] = out.get(name, False) or bool(assignment.references) or name in exported
    return out


@functools.lru_cache(maxsize=256)
def binding_counts(text: str) -> dict[str, int]:
    """Module-level name of TEXT -> how many statements bind it."""
    wrapper = MetadataWrapper(cst.parse_module(text))
    glob = next((s for s in wrapper.resolve(ScopeProvider).values() if isinstance(s, GlobalScope)), None)
    counts: dict[str, int] = {}
    for assignment in glob.assignments if glob is not None else ():
        counts[assignment.name] = counts.get(assignment.name, 0) + 1
    return counts


class _RemoveBindings(_Dropping):
    """Module-level imports of NAMES, plain assignments to them (of a value without effects), and
    their `__all__` entries; class-level assignments of CLASS_ATTRS (class name, attribute)."""

    def __init__(self, names: set[str], class_attrs: set[tuple[str, str]]):
        super().__init__()
        self.names = names
        self.class_attrs = class_attrs
        self.depth = 0
        self.classes: list[str] = []

    def visit_FunctionDef(self, node):
        self.depth += 1

    def leave_FunctionDef(self, original, updated):
        self.depth -= 1
        return updated

    def visit_ClassDef(self, node):
        self.depth += 1
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original, updated):
        self.depth -= 1
        self.classes.pop()
        return updated

    def _aliases(self, node):
        kept = []
        for alias in node.names:
            bound = alias.asname.name.value if alias.asname else cst.helpers.get_full_name_for_node(alias.name)
            if isinstance(node, cst.Import) and not alias.asname:
                bound = bound.partition(".")[0]
            if bound not in self.names:
                kept.append(alias)
        if len(kept) == len(node.names):
            return node
        if not kept:
            return self._drop(node)
        return node.with_changes(names=[*kept[:-1], kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)])

    def leave_Import(self, original, updated):
        return self._aliases(updated) if self.depth == 0 else updated

    def leave_ImportFrom(self, original, updated):
        if self.depth or isinstance(updated.names, cst.ImportStar) or updated.module is not None and \
                not updated.relative and cst.helpers.get_full_name_for_node(updated.module) == "__future__":
            return updated
        return self._aliases(updated)

    def leave_Assign(self, original, updated):
        if len(updated.targets) != 1 or not isinstance(updated.targets[0].target, cst.Name):
            return updated
        name = updated.targets[0].target.value
        if name == "__all__" and self.depth == 0 and isinstance(updated.value, (cst.List, cst.Tuple)):
            kept = [e for e in updated.value.elements
                    if not (isinstance(e.value, cst.SimpleString) and e.value.evaluated_value in self.names)]
            if len(kept) != len(updated.value.elements):
                if kept:
                    kept[-1] = kept[-1].with_changes(comma=updated.value.elements[-1].comma)
                return updated.with_changes(value=updated.value.with_changes(elements=kept))
            return updated
        in_class = self.depth == 1 and self.classes and (self.classes[-1], name) in self.class_attrs
        if (self.depth == 0 and name in self.names or in_class) and pure(updated.value):
            return self._drop(updated)
        return updated

    def leave_AnnAssign(self, original, updated):
        if self.depth == 0 and isinstance(updated.target, cst.Name) and updated.target.value in self.names \
                and (updated.value is None or pure(updated.value)):
            return self._drop(updated)
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        kept = [small for small in updated.body if id(small) not in self.gone]
        if not kept:
            return self._drop(updated)
        if len(kept) == len(updated.body):
            return updated
        return updated.with_changes(body=[*kept[:-1], kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])


def remove_bindings(text: str, names: set[str], class_attrs: set[tuple[str, str]] = frozenset()) -> str:
    """TEXT without the module-level bindings of NAMES (and the class attributes CLASS_ATTRS)."""
    return cst.parse_module(text).visit(_RemoveBindings(set(names), set(class_attrs))).code


def remove_registry_entry(text: str, key: str) -> str:
    """The TOML text of a flag registry without the `[flags."KEY"]` table (and the blank line after it)."""
    lines = text.splitlines(keepends=True)
    header = re.compile(r"^\s*\[\s*flags\s*\.\s*(?:\"%s\"|'%s'|%s)\s*\]" % ((re.escape(key),) * 3))
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return text
    end = start + 1
    while end < len(lines) and not lines[end].lstrip().startswith("["):
        end += 1
    while end < len(lines) and lines[end - 1].lstrip().startswith("#"):
        end -= 1  # comments right above the next table describe that one
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1  # and those right above this one describe it
    if end == len(lines):  # the last table: the blank lines that separated it go too
        while start > 0 and not lines[start - 1].strip():
            start -= 1
    return "".join(lines[:start] + lines[end:])
