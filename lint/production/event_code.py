"""Code tied to calendar events, and the code production has not yet had the chance to run.

Code is tied to an event (lint/production/calendar.py) by the configuration alone, never by editing it:
- `functions`: globs over qualified names (`rebal.book.close_*`): the whole function;
- `decorators`: globs over a decorator as written (`only_on(is_expiry)`, `schedule.monthly`): the
  whole decorated function;
- `conditions`: globs over the name of a function called in an `if` test (`is_month_end` ties
  `if is_month_end(day):`): the body; `if not is_month_end(day):` ties the `else` and, when the body
  leaves (return, raise, continue, break), the statements after it.

An event that fell on no day of any host's coverage window has not occurred yet as far as the data
knows. A function no host ran that is reachable only through code tied to such events is *not yet
observed*: KW101 leaves it (and flag-gated branches inside tied code) alone, and a note says when it
can next be observed. If the event did occur in a window, the code is judged like any other.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import networkx as nx

from knightwatch.production.calendar import Calendar, Event, Window, matches
from knightwatch.graphs.reach import reachable

_LEAVES = (ast.Return, ast.Raise, ast.Continue, ast.Break)


@dataclass
class Tied:
    """The code tied to one event: whole functions, and (path, first line, last line) regions."""

    functions: set[str] = field(default_factory=set)
    regions: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Waiting:
    """An event no host's window included, and the never-run code that only it leads to."""

    event: Event
    next_day: dt.date | None
    tops: tuple[str, ...]  # where the not-yet-observed code starts: tied functions, or ones called from tied code
    functions: tuple[str, ...]  # every function reachable only through code tied to it


@dataclass
class Observation:
    """The calendar's verdict on one run: hosts' windows, events seen in them, what is not yet observed."""

    windows: dict[str, Window] = field(default_factory=dict)
    occurred: dict[str, list[dt.date]] = field(default_factory=dict)  # event -> its days inside some window
    waiting: list[Waiting] = field(default_factory=list)
    functions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # qname -> events it waits on
    regions: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)  # path -> (start, end, event)
    unwindowed: list[str] = field(default_factory=list)  # hosts with no window

    def waits(self, path: str, start: int, end: int) -> str | None:
        """The event a region of PATH waits on (it lies inside code tied to an event not yet seen)."""
        return next((e for s, t, e in self.regions.get(path, ()) if s <= start and end <= t), None)


def _dotted(node: ast.AST) -> str:
    return ast.unparse(node.func if isinstance(node, ast.Call) else node)


def _span(stmts: list[ast.stmt]) -> tuple[int, int]:
    return stmts[0].lineno, stmts[-1].end_lineno or stmts[-1].lineno


class _Finder(ast.NodeVisitor):
    """Decorated functions and `if` regions in one file that the event's patterns tie to it."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.defs: list[int] = []  # def lines of tied functions
        self.regions: list[tuple[int, int]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if any(matches(ast.unparse(d), self.event.decorators) for d in node.decorator_list):
            self.defs.append(node.lineno)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _tests(self, test: ast.expr) -> bool | None:
        """True when TEST holds only if a tying call is true, False for `not call(...)`, else None."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return False if self._tests(test.operand) else None
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return True if any(self._tests(v) for v in test.values) else None
        return True if isinstance(test, ast.Call) and matches(_dotted(test), self.event.conditions) else None

    def generic_visit(self, node: ast.AST) -> None:
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                self._block(block)
        super().generic_visit(node)

    def _block(self, block: list[ast.stmt]) -> None:
        for i, stmt in enumerate(block):
            if not isinstance(stmt, ast.If) or not self.event.conditions:
                continue
            holds = self._tests(stmt.test)
            if holds:
                self.regions.append(_span(stmt.body))
            elif holds is False:
                if stmt.orelse:
                    self.regions.append(_span(stmt.orelse))
                elif isinstance(stmt.body[-1], _LEAVES) and block[i + 1:]:
                    self.regions.append(_span(block[i + 1:]))


def _words(patterns: tuple[str, ...]) -> set[str]:
    """Identifiers a file must contain to hold anything the patterns match (none: read every file)."""
    out = set()
    for p in patterns:
        found = re.findall(r"[A-Za-z_]\w*", p.split("(")[0].rsplit(".", 1)[-1])
        if not found:
            return set()
        out.add(max(found, key=len))
    return out


def tied_code(analysis, event: Event) -> Tied:
    """The functions and regions EVENT's patterns tie to it. Only files naming a pattern are parsed."""
    g = analysis.callgraph.graph
    tied = Tied({q for q, data in g.nodes(data=True) if data["kind"] == "function"
                 and any(fnmatchcase(q, p) for p in event.functions)})
    if not (event.decorators or event.conditions):
        return tied
    words = _words(event.decorators + event.conditions)
    at = {(data["path"], data["line"]): q for q, data in g.nodes(data=True) if data["kind"] == "function"}
    for info in analysis.files.values():
        if info.summary is None or words and not any(w in info.text for w in words):
            continue
        finder = _Finder(event)
        try:
            finder.visit(ast.parse(info.text, info.path))
        except (SyntaxError, ValueError, RecursionError):
            continue  # newer syntax than this Python reads (the analysis lowered it), or too deep: skipped
        tied.functions.update(at[(info.path, line)] for line in finder.defs if (info.path, line) in at)
        tied.regions += [(info.path, s, e) for s, e in finder.regions]
    return tied


def _reach_without(analysis, tied: Tied) -> dict:
    """What the entry points reach with TIED code taken out of the call graph: its functions, and the
    calls made only from inside its regions."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for path, start, end in tied.regions:
        spans.setdefault(path, []).append((start, end))
    inside: dict[tuple[str, str], bool] = {}  # (caller, callee) -> every call of it is in a region
    for caller, sites in analysis.callgraph.sites.items() if spans else ():
        for site in sites:
            within = any(s <= site.line and site.end_line <= e for s, e in spans.get(site.path, ()))
            for target in site.targets:
                inside[caller, target] = inside.get((caller, target), True) and within
    cut = {edge for edge, within in inside.items() if within}
    view = nx.subgraph_view(analysis.callgraph.graph, filter_node=lambda n: n not in tied.functions,
                            filter_edge=lambda a, b: (a, b) not in cut)
    return reachable(view, [r for r in analysis.roots if r not in tied.functions], frozenset({"call", "may", "ref"}))


def observe(analysis, calendar: Calendar) -> Observation:
    """Windows, occurred events and the not-yet-observed code for this analysis (which has coverage)."""
    obs = Observation()
    written = analysis.coverage.written
    for host in analysis.hosts:
        window = calendar.window(host, written.get(host))
        if window is None:
            obs.unwindowed.append(host)
        else:
            obs.windows[host] = window
    if not obs.windows:
        return obs
    last = max(w.end for w in obs.windows.values())
    pending = []
    for event in calendar.events:
        days = sorted({d for w in obs.windows.values() for d in calendar.days(event, w.start, w.end)})
        if days:
            obs.occurred[event.name] = days
        else:
            pending.append(event)
    if not pending or obs.unwindowed:  # a host without a window may have seen any event
        return obs
    tied = {e.name: tied_code(analysis, e) for e in pending}
    every = Tied(set().union(*(t.functions for t in tied.values())), [r for t in tied.values() for r in t.regions])
    never_ran = {q for q in analysis.reach_all if analysis.index.kind(q) == "function"
                 and not analysis.function_hosts(q) and not analysis.function_unknown(q)}
    unseen = never_ran - _reach_without(analysis, every).keys()
    per_event = {name: never_ran - _reach_without(analysis, t).keys() for name, t in tied.items()}
    for q in sorted(unseen):
        obs.functions[q] = tuple(n for n in tied if q in per_event[n]) or tuple(tied)
    g = analysis.callgraph.graph
    for event in pending:
        mine = sorted(q for q, names in obs.functions.items() if event.name in names)
        tops = tuple(q for q in mine if q in tied[event.name].functions
                     or any(c not in obs.functions for c in g.predecessors(q) if g.edges[c, q]["kind"] != "ref"))
        obs.waiting.append(Waiting(event, calendar.next_after(event, last), tops, tuple(mine)))
        for path, start, end in tied[event.name].regions:
            obs.regions.setdefault(path, []).append((start, end, event.name))
    return obs


def notes(obs: Observation) -> list[str]:
    """One note per event not yet observed (and per host without a window)."""
    out = []
    if obs.unwindowed:
        out.append(f"calendar: no coverage window for {', '.join(obs.unwindowed)} (no data file date and no "
                   "[tool.knightwatch.calendar.windows] entry): every event counts as possibly seen")
    spans = sorted({str(w) for w in obs.windows.values()})
    for w in obs.waiting:
        where = ", ".join(w.tops[:3]) + (f" and {len(w.tops) - 3} more" if len(w.tops) > 3 else "")
        behind = len(w.functions) - len(w.tops)
        code = f"{where}{f' (and {behind} function(s) only they reach)' if behind else ''}" if w.tops else \
            "no never-run code is tied to it"
        when = f"next observable {w.next_day.isoformat()}" if w.next_day else "no listed date after the window"
        out.append(f"calendar: not yet observed: {w.event.name} ({w.event.described}) fell on no day of the "
                   f"coverage window{'s' if len(spans) > 1 else ''} ({'; '.join(spans)}): {code}; {when}")
    return out
