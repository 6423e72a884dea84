"""What KW102 counts as alive: reachability from the entry points, widened by what the call graph
cannot see — code production ran, entry points declared in packaging metadata, framework callbacks
(methods of a class with a base outside the analysed source), dispatch by a computed name, types
used in annotations, plugin families and modules a dynamic loader can name, the public names of a
library, and (by default) what the project's own tests use."""

from __future__ import annotations

import ast
import builtins
import configparser
import re
from fnmatch import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from knightwatch.config import _read_toml
from knightwatch.errors import KnightwatchError
from knightwatch.graphs.handoffs import HANDOFFS
from knightwatch.graphs.index import qualify
from knightwatch.graphs.reach import reachable
from knightwatch.source.schema import Call, Tag, callee_name
from knightwatch.source.sources import python_files

KINDS = frozenset({"call", "may", "ref"})
#: bases that call none of a subclass's methods
INERT_BASES = frozenset({("bi", "object"), ("ext", "typing.Generic"), ("ext", "typing.Protocol"),
                         ("ext", "abc.ABC"), ("ext", "typing_extensions.Protocol")})
#: stdlib value types: a subclass's methods are called by nothing outside the project but its dunders
#: and these hooks (`Enum._missing_`), unlike a framework base's (a plugin API, a test case)
VALUE_BASES = frozenset({("ext", f"typing.{n}") for n in ("NamedTuple", "TypedDict")}
                        | {("ext", f"enum.{n}") for n in ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag")}
                        | {("bi", n) for n in ("str", "int", "float", "bytes", "tuple", "list", "dict", "set",
                                               "frozenset")}
                        | {("bi", n) for n in dir(builtins) if isinstance(getattr(builtins, n), type)
                           and issubclass(getattr(builtins, n), BaseException)})
VALUE_HOOKS = frozenset({"_missing_", "_generate_next_value_"})
#: calls that list an object's members by name (`inspect.getmembers(self)`, `dir(self)`)
MEMBER_LISTINGS = frozenset({"getmembers", "dir"})
#: words a dynamic loader of classes or modules uses (a name looked up at run time)
LOADER_WORDS = frozenset({"import_module", "__import__", "__subclasses__", "iter_modules", "walk_packages",
                          "spec_from_file_location", "exec_module", "load_module", "entry_points",
                          "iter_entry_points", "load_entry_point", "getmembers"})
#: what configures logging from data, naming handler and formatter classes by dotted path
LOGGING_LOADERS = frozenset({"dictConfig", "fileConfig"})
ENTRY_POINT = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*:\s*([A-Za-z_][\w.]*)")
#: a string literal that may name a module, or a package and a dot (its end, or where an f-string
#: field starts)
DOTTED_STRING = re.compile(r"""[rbuf]*['"]([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\.?)(?=['"{])""")
TEST_FILE = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
TEST_TEXT_LIMIT = 64_000_000  # bytes of test code read for names; past it the rest is not read
LIBRARY_NOTE = ("KW102 dead-code: analysed as a library (its packaging metadata declares no scripts or entry "
                "points, and its package declares `__all__`, re-exports its modules' names or has no `__main__`): "
                "its public names are its users' to call; set [tool.knightwatch] project = \"application\" to "
                "report them")
APPLICATION_NOTE = ("KW102 dead-code: analysed as an application (its package runs as a program, its packaging "
                    "metadata names no script or entry point, and no package declares `__all__`): its unused public "
                    "names are reported; if other code imports them, set [tool.knightwatch] project = \"library\" "
                    "(or name the entry points)")
SCRIPTS_NOTE = ("KW102 dead-code: analysed as an application (its packaging metadata declares scripts or entry "
                "points), though its package re-exports its modules' names as a library does: if code outside "
                "it uses them, set [tool.knightwatch] project = \"library\"")
#: a top-level package that star-imports this many of its own modules is a library's facade
FACADE_STARS = 3


@dataclass
class Liveness:
    """Alive definitions (each with the node that made it alive) and the evidence behind them."""

    alive: dict[str, str | None]
    executed: dict[str, frozenset[str]]  # function -> hosts on which its body ran
    gaps: list[str]  # functions production ran that the call graph cannot reach
    untyped: frozenset[str]  # method names called on a value the call graph cannot type
    orphans: dict[str, str] = field(default_factory=dict)  # subclass of a live base no loader names -> base
    tested: frozenset[str] = frozenset()  # names the project's test files that are not analysed use


def executed_functions(analysis) -> dict[str, frozenset[str]]:
    """Functions whose body ran on some host. A `def` line runs on import, so a function is judged by
    its body lines; a one-line function (body on the def line) only by an arc entering it."""
    if not analysis.coverage:
        return {}
    out = {}
    g = analysis.callgraph.graph
    for q, data in g.nodes(data=True):
        if data["kind"] != "function" or data["path"] is None:
            continue
        if data["body"] > data["line"]:
            hosts = analysis.function_hosts(q)
        else:
            hosts = entered(analysis, data["path"], code_line(analysis.index, q, data["line"]))
        if hosts:
            out[q] = hosts
    return out


def pytest_testpaths(root: Path) -> list[str]:
    """The `testpaths` pytest's configuration names (pyproject.toml, pytest.ini, tox.ini, setup.cfg):
    the project's tests live there even when their files are not named `test_*.py`."""
    found: list[str] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool", {})
        pytest = tool.get("pytest", {}) if isinstance(tool, dict) else {}
        if isinstance(pytest, dict):
            for table in (pytest, pytest.get("ini_options", {})):
                value = table.get("testpaths") if isinstance(table, dict) else None
                if isinstance(value, str):
                    value = value.split()
                if isinstance(value, list):
                    found += [v for v in value if isinstance(v, str)]
    for name, section in (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = root / name
        if not path.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as exc:
            raise KnightwatchError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None
        if parser.has_option(section, "testpaths"):
            found += parser.get(section, "testpaths").split()
    out = set()
    for entry in found:
        entry = entry.strip().rstrip("/")
        while entry.startswith("./"):
            entry = entry[2:]
        if entry and entry != ".":  # the whole project says nothing about which files are tests
            out.add(entry)
    return sorted(out)


def is_test_file(rel: str, testpaths: list[str]) -> bool:
    """REL (a path relative to the project root) is a test file, by its name or by pytest's `testpaths`."""
    return bool(TEST_FILE.search(rel)) or any(fnmatch(rel, p) or fnmatch(rel, p + "/*") for p in testpaths)


def _code_names(text: str) -> set[str]:
    """The names code uses: attributes of other objects it reads (`pkg.Cls.method`), names and
    attributes of `self` it reads but does not bind itself (a test's own `tree = ...`, `self.tree`,
    `def helper`, parameters: those reads are of its own things), what it imports, and the parts of a
    string that is a dotted name (`mock.patch("pkg.mod.f")`); prose in strings and comments is not
    code. Text that does not parse gives all its identifiers."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return set(IDENTIFIER.findall(text))
    read: set[str] = set()
    bound: set[str] = set()
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.Attribute):
            if not isinstance(node.ctx, ast.Load):
                bound.add(node.attr)
            elif isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                read.add(node.attr)
            else:
                named.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            named.update(node.name.split("."))
        elif isinstance(node, ast.ImportFrom) and node.module:
            named.update(node.module.split("."))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED_NAME.fullmatch(node.value):
            named.update(node.value.split("."))
    return (read - bound) | named


def unanalysed_tests(root: Path, analysed: set[str], testpaths: list[str]) -> list[Path]:
    """The project's test files under ROOT that are not among the ANALYSED (relative paths)."""
    return [path for path, rel in python_files(root) if rel not in analysed and is_test_file(rel, testpaths)]


def test_words(analysis, testpaths: list[str]) -> frozenset[str]:
    """Names the project's test files that are not analysed use: a definition they name is used by
    the tests (the call graph cannot see those files)."""
    words: set[str] = set()
    budget = TEST_TEXT_LIMIT
    for path in unanalysed_tests(analysis.config.root, set(analysis.files), testpaths):
        try:
            text = path.read_bytes()[:budget].decode("utf-8", "replace")
        except OSError:
            continue
        budget -= len(text)
        words.update(_code_names(text))
        if budget <= 0:
            break
    return frozenset(words)


def test_definitions(analysis, testpaths: list[str]) -> list[str]:
    """Every module and definition in the analysed test files: pytest runs them (tests, fixtures,
    hooks), so what they call is used."""
    modules = {info.source.module for rel, info in analysis.files.items()
               if info.summary is not None and is_test_file(rel, testpaths)}
    return sorted(q for q, (module, _, _) in analysis.index.defs.items() if module in modules)


def tests_name(idx, words: frozenset[str]) -> list[str]:
    """The definitions (functions, classes, modules) whose name test files not analysed use."""
    out = []
    for q, (module, scope, entry) in idx.defs.items():
        name = scope.rpartition(".")[2] if scope else module.rpartition(".")[2]
        if name in words and entry["kind"] != "lambda":
            out.append(q)
    return sorted(out)


def unresolved_call_names(cg) -> frozenset[str]:
    """Names called as `x.name(...)` where the graph cannot tell what `x` is: a method of that name
    may be what runs."""
    names = set()
    for module, sites in cg.sites_by_module.items():
        calls = cg.index.summaries[module]["calls"]
        for site in sites:
            call = Call(*calls[site.index])
            callee = call.callee
            if callee[0] == Tag.ATTR and not any(t in cg.index.defs for t in site.targets):
                if not _imported_module(cg.index.summaries[module], call.scope, callee[1]):
                    names.add(callee[2])  # (`itertools.count(1)` is no method call)
            elif callee[0] == Tag.ATTR and callee[2] in HANDOFFS and not any(  # `pool.map(f, xs)`: f is a target
                    v[0] == "def" for v in cg.index.resolve(module, call.scope, callee)):
                names.add(callee[2])
    return frozenset(names)


def unresolved_attribute_names(cg) -> frozenset[str]:
    """Names read or set as `x.name` where the graph cannot tell what `x` is: a property of that
    name may be what runs."""
    idx = cg.index
    names = set()
    for module, summary in idx.summaries.items():
        for key in ("attr_loads", "attr_stores"):
            for scope, expr, _ in summary.get(key, ()):
                if expr[2] not in names and not any(
                        v[0] in ("inst", "def", "sup") for v in idx.resolve(module, scope, expr[1])):
                    names.add(expr[2])
    return frozenset(names)


def _imported_module(summary: dict, scope: str, obj: tuple) -> bool:
    """OBJ is a name every binding of which, where SCOPE sees it, is `import module`."""
    if obj[0] != Tag.NAME:
        return False
    scopes = summary["scopes"]
    s: str | None = scope
    while s is not None:
        entry = scopes.get(s)
        if entry is None:
            return False
        bound = entry["names"].get(obj[1])
        if bound:
            return all(b[0] == Tag.IMPORT for b in bound)
        s = entry["parent"] if s else None
    return False


def executed_modules(analysis) -> set[str]:
    """Modules some host imported (ran any line of): a module is used by being imported."""
    if not analysis.coverage:
        return set()
    out = set()
    for q, data in analysis.callgraph.graph.nodes(data=True):
        if data["kind"] == "module" and analysis.ran_on(data["path"], 1, max(data["end"], 1)):
            out.add(q)
    return out


def project_strings(analysis) -> set[str]:
    """The identifiers and dotted names the analysed files spell out in string literals (a module's
    `f"{__name__}.{name}"` spells its own name and a dot)."""
    strings: set[str] = set()
    for info in analysis.files.values():
        if info.summary is not None:
            strings.update(DOTTED_STRING.findall(info.text))
            if "{__name__}." in info.text:
                strings.add(f"{info.source.module}.")
    return strings


def named_modules(analysis, strings: set[str]) -> set[str]:
    """Modules a loader can import by a name the project spells out in a string: a module's name
    (`"pkg.plugins.csv"`), or a package's name and a dot (`"pkg.plugins." + name`,
    `f"pkg.plugins.{name}"`), which names every module under it."""
    modules = set(analysis.index.summaries)
    prefixes = tuple(p for p in strings if p.endswith(".") and p[:-1] in modules)
    return {m for m in modules if m in strings or prefixes and m.startswith(prefixes)}


def code_line(idx, q: str, line: int) -> int:
    """The line function Q's code object starts at: its first decorator's, else its `def` LINE."""
    return min(idx.entry(q).get("deco_lines") or [line]) if q in idx.defs else line


def entered(analysis, path: str, line: int) -> frozenset[str]:
    """Hosts whose arcs enter the code object starting at LINE (`-LINE -> LINE`; a decorated
    function's code starts at its first decorator)."""
    cov = analysis.coverage
    found = set()
    for host in cov.hosts:
        run = cov.run(host, path)
        if run is not None and run.arcs and (-line, line) in run.arcs and line != 1:
            found.add(host)
    return frozenset(found)


def _pyproject(root: Path) -> dict:
    """ROOT's pyproject.toml, or {} when there is none."""
    pyproject = root / "pyproject.toml"
    return _read_toml(pyproject) if pyproject.is_file() else {}


def _setup_cfg(root: Path) -> configparser.ConfigParser | None:
    """ROOT's setup.cfg, or None when there is none."""
    setup_cfg = root / "setup.cfg"
    if not setup_cfg.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(setup_cfg, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise KnightwatchError(f"{setup_cfg}: cannot read: {str(exc).splitlines()[0]}") from None
    return parser


def packaging_entry_points(root: Path) -> list[str]:
    """`module:attr` targets of the scripts and entry points declared in pyproject.toml or setup.cfg."""
    found = []
    project = _pyproject(root).get("project", {})
    if isinstance(project, dict):
        groups = [project.get("scripts", {}), project.get("gui-scripts", {})]
        groups += list(project.get("entry-points", {}).values()) if isinstance(project.get("entry-points"), dict) else []
        for group in groups:
            if isinstance(group, dict):
                found += [v for v in group.values() if isinstance(v, str)]
    parser = _setup_cfg(root)
    if parser is not None and parser.has_section("options.entry_points"):
        for value in parser["options.entry_points"].values():
            found += [line.partition("=")[2] for line in value.splitlines() if "=" in line]
    found += [line.partition("=")[2] for line in _setup_py_entry_points(root)]
    out = []
    for value in found:
        m = ENTRY_POINT.match(value)
        if m:
            out.append(f"{m.group(1)}:{m.group(2)}")
    return sorted(set(out))


def _setup_py_entry_points(root: Path) -> list[str]:
    """The `name = module:attr` lines of the `entry_points=` a setup.py hands to `setup()`, read from
    its AST (never run): a dict literal, or a name bound to one at module level, of lists of strings
    or of ini-style text."""
    try:
        tree = ast.parse((root / "setup.py").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return []
    bound = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}
    lines: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup"):
            continue
        for k in node.keywords:
            value = bound.get(k.value.id, k.value) if isinstance(k.value, ast.Name) else k.value
            if k.arg != "entry_points" or not isinstance(value, ast.Dict):
                continue
            for group in value.values:
                group = bound.get(group.id, group) if isinstance(group, ast.Name) else group
                items = group.elts if isinstance(group, (ast.List, ast.Tuple)) else [group]
                for item in items:
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        lines += [line for line in item.value.splitlines() if "=" in line]
    return lines


def build_hooks(root: Path) -> list[str]:
    """Files hatch runs while building (`[tool.hatch.build.hooks.custom]`, per target, and the metadata
    hook), relative to ROOT: hatch imports each and instantiates the hook class it defines."""
    hatch = _pyproject(root).get("tool", {}).get("hatch", {})
    if not isinstance(hatch, dict):
        return []
    tables = [hatch.get("build", {}).get("hooks", {}), hatch.get("metadata", {}).get("hooks", {})]
    targets = hatch.get("build", {}).get("targets", {})
    tables += [target.get("hooks", {}) for target in targets.values() if isinstance(target, dict)] \
        if isinstance(targets, dict) else []
    found = [hooks["custom"].get("path", "hatch_build.py") for hooks in tables
             if isinstance(hooks, dict) and isinstance(hooks.get("custom"), dict)]
    return sorted({path for path in found if isinstance(path, str)})


def distributed(root: Path) -> bool:
    """Whether ROOT holds packaging metadata for a distribution: a setup.py, a named `[project]` in
    pyproject.toml, or a named `[metadata]` in setup.cfg."""
    if (root / "setup.py").is_file():
        return True
    project = _pyproject(root).get("project", {})
    if isinstance(project, dict) and project.get("name"):
        return True
    parser = _setup_cfg(root)
    return parser is not None and parser.has_option("metadata", "name")


def project_kind(config, idx, declared: list[str]) -> tuple[bool, str | None]:
    """Whether the project is a library, whose public names code outside the analysis uses, and a
    note when that was inferred. As configured (`project`); else, for a distributed project with no
    script or entry point DECLARED in its metadata and none configured, by whether a top-level
    package declares its API (`__all__`) or re-exports its modules' names (`from .x import *`). An
    application's package, a trading service run with `python -m`, does neither, so its unused public
    functions are still reported. A project that declares scripts is an application, with a note
    when its package looks like a library's facade."""
    if config.project is not None or config.entry_points or not distributed(config.root):
        return config.project == "library", None
    facade = any(s.get("package") and "." not in m and sum(star.startswith(m + ".") for star in s["star_imports"])
                 >= FACADE_STARS for m, s in idx.summaries.items())
    if declared:
        return False, SCRIPTS_NOTE if facade else None
    packages = [(m, s) for m, s in idx.summaries.items() if s.get("package") and "." not in m]
    if facade or any(s.get("all") for _, s in packages) or packages and not runnable(idx):
        return True, LIBRARY_NOTE
    return False, APPLICATION_NOTE


def runnable(idx) -> bool:
    """Whether the project can be run as a program: a top-level package with a `__main__` module
    (`python -m pkg`), or a top-level module with a `__main__` block (`python bot.py`). A tool module
    deep in a package (`pkg/tools/fetch.py`) does not make the package a program. (Asked only of a
    project with a top-level package: loose modules are taken for a program's.)"""
    return any(m.count(".") == 1 and m.endswith(".__main__") or "." not in m and s.get("main_block")
               and not s.get("package") for m, s in idx.summaries.items())


def external_bases(idx, cls: str, inert: frozenset = INERT_BASES) -> bool:
    """True when a base of CLS (or of a project base of it) lies outside the analysed source (and
    is not one of INERT)."""
    for c in idx.mro(cls):
        module, _, entry = idx.defs[c]
        for b in entry.get("bases", ()):
            values = idx.resolve(module, entry["parent"] or "", b)
            if not values or any(v not in inert and not (v[0] == "def" and idx.kind(v[1]) == "class")
                                 for v in values):
                return True
    return False


def _methods(idx, classes: set[str]) -> dict[str, list[str]]:
    """The methods defined in each class of CLASSES."""
    out: dict[str, list[str]] = {c: [] for c in classes}
    for q in idx.defs:
        owner = q.rpartition(".")[0]
        if owner in out and idx.kind(q) == "function":
            out[owner].append(q)
    return out


def _public(qname: str) -> bool:
    """No part of QNAME is private (`_name`); dunder names are not private."""
    return not any(p.startswith("_") and not (p.startswith("__") and p.endswith("__")) for p in qname.split("."))


def library_exports(idx) -> list[str]:
    """What a library offers its users: each public module's `__all__`, or, without one, its public
    top-level names (what `from module import *` would take)."""
    out = []
    for module, summary in idx.summaries.items():
        if not _public(module):
            continue
        names = summary.get("all")
        if names is None:
            names = [scope for scope in summary["scopes"] if scope.isidentifier() and not scope.startswith("_")]
        out += [f"{module}.{n}" for n in names if f"{module}.{n}" in idx.defs]
    return out


def plugin_api(idx) -> set[str]:
    """Classes a package of an application that loads plugins lists in its `__all__` (`from
    freqtrade.strategy import *` in a user's strategy): the plugins are the users of their
    public members."""
    out = set()
    for module, summary in idx.summaries.items():
        if summary.get("package") and _public(module) and summary.get("all"):
            for n in summary["all"]:
                for v in idx.resolve(module, "", (Tag.NAME, n)):
                    if v[0] == "def" and idx.kind(v[1]) == "class":
                        out.add(v[1])
    return out


def dispatch_prefixes(idx) -> frozenset[str]:
    """Name prefixes of attributes looked up by a computed name, `getattr(self, "visit_" + kind)`, or
    picked from a listing of members by a prefix (`inspect.getmembers(self)` or `dir(self)`, then
    `name.startswith("on_")` in the same function): a method named with one of them, in a live class,
    is reached by that dispatch."""
    found = set()
    for summary in idx.summaries.values():
        listing: set[str] = set()  # scopes that list an object's members
        starts: list[tuple[str, str]] = []  # (scope, prefix) of `x.startswith("on_")`
        for call in summary["calls"]:
            call = Call(*call)
            callee, args = call.callee, call.args
            key = None
            if callee in ((Tag.NAME, "getattr"), (Tag.NAME, "hasattr")) and len(args) >= 2:
                key = args[1]
            elif callee[0] == Tag.GETATTR:
                key = callee[2]
            elif callee_name(callee) in MEMBER_LISTINGS:
                listing.add(call.scope)
            elif callee_name(callee) == "startswith" and args and args[0][0] == Tag.STR and len(args[0][1]) >= 2:
                starts.append((call.scope, args[0][1]))
            if key and key[0] == Tag.PREFIX and len(key[1]) >= 2:
                found.add(key[1])
        found.update(prefix for scope, prefix in starts if scope in listing)
    return frozenset(found)


def looked_up_by_name(idx) -> set[str]:
    """Classes whose members the project looks up by a name computed at run time, `getattr(self,
    name)` with NAME read from a table of strings: the graph cannot follow every such name (through
    tuples, `*args`, type tests), so a method of theirs that a string names may be what runs."""
    found: set[str] = set()
    for module, summary in idx.summaries.items():
        for call in summary["calls"]:
            call = Call(*call)
            if call.callee == (Tag.NAME, "getattr") and len(call.args) >= 2 \
                    and call.args[1][0] not in (Tag.STR, Tag.PREFIX, Tag.STARRED):
                found.update(v[1] for v in idx.resolve(module, call.scope, call.args[0])
                             if v[0] in ("inst", "def") and idx.kind(v[1]) == "class")
    return found


def logging_classes(idx) -> list[str]:
    """Handlers, formatters and filters (subclasses of `logging.*`) of a project that configures
    logging from data (`logging.config.dictConfig(config)`, `fileConfig`): its users name them by
    dotted path in their logging configuration."""
    if not any(LOGGING_LOADERS & set(s["words"]) for s in idx.summaries.values()):
        return []
    out = []
    for c in idx.defs:
        if idx.kind(c) == "class" and any(
                v[0] == "ext" and v[1].startswith("logging.")
                for k in idx.mro(c) for b in idx.entry(k).get("bases", ())
                for v in idx.resolve(idx.defs[k][0], idx.defs[k][2]["parent"] or "", b)):
            out.append(c)
    return sorted(out)


def annotation_uses(idx) -> dict[str, set[str]]:
    """Definition -> the project classes its type annotations name (parameters, returns, fields of a
    pydantic model, a dataclass or a TypedDict): a type used only there is alive when its user is."""
    out: dict[str, set[str]] = {}
    for module, summary in idx.summaries.items():
        for scope, user, expr in summary.get("annotations", ()):
            classes = {v[1] for v in idx.resolve(module, scope, expr) if v[0] == "def" and idx.kind(v[1]) == "class"}
            if classes:
                out.setdefault(qualify(module, user), set()).update(classes)
    return out


def _overridden(idx, cls: str, method: str) -> str | None:
    """The method of a project base of CLS that METHOD (a method of CLS) overrides."""
    name = method.rpartition(".")[2]
    return next((f"{b}.{name}" for b in idx.mro(cls)[1:] if f"{b}.{name}" in idx.defs), None)


def compute(analysis) -> Liveness:
    """Alive definitions for KW102, grown to a fixpoint: every new root can make more classes live."""
    g = analysis.callgraph.graph
    idx = analysis.index
    config = analysis.config
    executed = executed_functions(analysis)
    roots = list(analysis.roots)
    declared = packaging_entry_points(config.root)
    for ep in declared:
        module, _, attr = ep.partition(":")
        roots += [n for n in (module, f"{module}.{attr}") if n in g]
    hooks = set(build_hooks(config.root))  # a build hook and the hook class in it
    for module, path in analysis.callgraph.paths.items():
        if path in hooks:
            roots += [module] + [q for q in idx.defs if q.rpartition(".")[0] == module and idx.kind(q) == "class"]
    library, note = project_kind(config, idx, declared)
    if note:
        analysis.notes.append(note)
    if library:
        roots += library_exports(idx)
    roots += sorted(executed) + sorted(executed_modules(analysis))
    loaders = sorted(m for m, s in idx.summaries.items() if LOADER_WORDS & set(s["words"]))
    strings = project_strings(analysis)
    if loaders:
        roots += sorted(named_modules(analysis, strings))
    # a class or function named by its dotted path (`"pkg.log.JsonFormatter"`); a module named in a
    # string (`getLogger("pkg.mod")`) is alive only with a loader, above
    roots += sorted(s for s in strings if "." in s and s in idx.defs and idx.kind(s) in ("class", "function"))
    roots += logging_classes(idx)
    testpaths = pytest_testpaths(config.root)
    tested = test_words(analysis, testpaths)
    if config.dead_code_tests == "users":  # code the project's own tests use is used
        roots += test_definitions(analysis, testpaths) + tests_name(idx, tested)
    alive = reachable(g, roots, KINDS)
    gaps = sorted(q for q in executed if q not in analysis.reach_all)
    classes = sorted(q for q in idx.defs if idx.kind(q) == "class")
    methods = _methods(idx, set(classes))
    external = {c for c in classes if external_bases(idx, c, INERT_BASES | VALUE_BASES)}
    valued = {c for c in classes if c not in external and external_bases(idx, c)}
    annotated = annotation_uses(idx)
    prefixes = tuple(sorted(dispatch_prefixes(idx)))
    exported = plugin_api(idx) if loaders and not library else set()
    untyped = unresolved_call_names(analysis.callgraph)
    untyped_attrs = unresolved_attribute_names(analysis.callgraph)
    by_name = looked_up_by_name(idx)
    loaded: set[str] = set()  # classes alive as members of a family a loader can name
    orphans: dict[str, str] = {}
    # with a loader, an interface (an ABC, a Protocol) may be implemented by plugins outside the
    # analysis (user strategies): what its fields and its methods' parameters are typed with is
    # handed to them, and those types' public methods are theirs to call
    abstract = {c for c in classes if idx.interface(c)}
    interfaces = abstract if loaders else set()
    while True:
        extra = [c for user, used in annotated.items() if user in alive for c in used if c not in alive]
        for c in classes:
            live = c in alive or any(m in alive for m in methods[c])
            if live and c in interfaces:
                for handed in set().union(*(annotated.get(u, ()) for u in [c, *methods[c]])):
                    extra += [m for k in idx.mro(handed) for m in methods.get(k, ())
                              if m not in alive and _public(m.rpartition(".")[2])]
                # the public methods it adds are the plugins' to call on self (a deprecated one
                # still warns them); abstract ones and implementations are for the project to call
                extra += [m for m in methods[c] if m not in alive and _public(m.rpartition(".")[2])
                          and "abstractmethod" not in idx.decorator_names(m) and not _overridden(idx, c, m)]
            if c in abstract:  # an interface's declaration is alive with an implementation of it
                extra += [m for m in methods[c] if m not in alive and idx.entry(m).get("stub") and any(
                    f"{k}.{m.rpartition('.')[2]}" in alive for k in idx.implementations(c))]
            if live:
                for m in methods[c]:
                    if m in alive:
                        continue
                    name = m.rpartition(".")[2]
                    if c in external:  # a framework outside the analysis calls its overrides
                        extra.append(m)
                    elif c in valued and (name.startswith("__") and name.endswith("__") or name in VALUE_HOOKS):
                        extra.append(m)  # `str(breach)`, `Side("x")` on an Enum calls `_missing_`
                    elif (library or c in exported) and _public(name):  # instances reach the library's
                        extra.append(m)  # users, or the plugins an application loads
                    elif prefixes and m.rpartition(".")[2].startswith(prefixes):  # dispatch by a computed name
                        extra.append(m)
                    elif m.rpartition(".")[2] in strings and not by_name.isdisjoint(idx.mro(c)):
                        extra.append(m)  # `getattr(self, name)` with a name from a table of strings
                    elif c in loaded and _overridden(idx, c, m):
                        extra.append(m)  # an interface method, called on a base-typed value the graph lost
                    elif _overridden(idx, c, m) in alive:  # a call on self in the base may run it, through
                        extra.append(m)  # dispatch the graph binds to the base only (`method = getattr(...)`)
                    elif m.rpartition(".")[2] in untyped:  # `x.name()` where the graph cannot type x
                        extra.append(m)
                    elif name in untyped_attrs and idx.method_kind(m) == "property":  # `x.name`, the same
                        extra.append(m)
                if c not in alive:
                    extra.append(c)
                for m in methods[c]:  # the base method an override that is used implements
                    base_method = _overridden(idx, c, m) if m in alive else None
                    if base_method and base_method not in alive:
                        extra.append(base_method)
                continue
            base = next((b for b in idx.mro(c)[1:] if b in alive or any(m in alive for m in methods.get(b, ()))), None)
            if base is None:
                continue
            if loaders:  # a loader can name a subclass of a live base: the family is alive
                extra.append(c)
                loaded.add(c)
            else:
                orphans[c] = base
        if not extra:
            break
        reachable(g, extra, KINDS, alive)
    for c in list(orphans):
        if c in alive:
            del orphans[c]
    for q in executed:  # a class whose method ran is alive, and its enclosing classes
        parent = q.rpartition(".")[0]
        while parent and idx.kind(parent) == "class":
            alive.setdefault(parent, q)
            parent = parent.rpartition(".")[0]
    return Liveness(alive, executed, gaps, untyped, orphans, tested)
