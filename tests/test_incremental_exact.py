"""Incremental runs are exact: after every edit of a seeded random sequence, a run with the cache
(summaries and the whole-program stage kept from the previous step) gives exactly the findings,
notes and call graph of a cold run without a cache.

The trees are real: the SMARS fixture (with its hosts' coverage and flag registry) and pluggy, a
PyPI package installed with pytest, each copied into tmp. The edits are the ones a developer
makes: add or remove a function, change a call, change an import, rename a flag constant, delete
a module, and edits that change no summary but for positions (a comment appended, a comment and a
blank line inserted anywhere), for which the stored stage is reused and its positions rebased.
"""

from __future__ import annotations

import ast
import pickle
import random
import shutil
from pathlib import Path

import pluggy
import pytest

from knightwatch import analysis as analysis_module
from knightwatch.source.cache import Cache, _finding_data
from knightwatch.config import load_config
from knightwatch.engine import check
from knightwatch.errors import KnightwatchError

STEPS = 18


def _modules(root: Path, package: str) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


def _top_functions(path: Path) -> list[ast.FunctionDef]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return []
    return [n for n in tree.body if isinstance(n, ast.FunctionDef)]


def _module_name(root: Path, path: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def _edit(rng: random.Random, root: Path, package: str, step: int) -> str:
    """Apply one random edit to the tree; what it was."""
    files = _modules(root, package)
    path = rng.choice(files)
    configured = (root / "pyproject.toml").read_text()  # entry points, sinks, breakers, accessors stay
    kind = rng.choice(["comment", "comment", "add function", "remove function", "change a call", "change an import",
                       "rename a flag constant", "delete a module", "shift lines"])
    if kind == "comment":
        _append(path, f"# note {step}\n")
    elif kind == "shift lines":
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = rng.randrange(len(lines) + 1)
        shifted = lines[:at] + [f"# moved {step}\n", "\n"] + lines[at:]
        if _parses(shifted):  # not inside a string, say
            path.write_text("".join(shifted), encoding="utf-8")
    elif kind == "add function":
        _append(path, f"\ndef kw_added_{step}(value):\n    return [value]\n")
    elif kind == "remove function":
        functions = [f for f in _top_functions(path) if f.name not in configured]
        if functions:
            f = rng.choice(functions)
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            start = min([f.lineno] + [d.lineno for d in f.decorator_list]) - 1
            path.write_text("".join(lines[:start] + lines[f.end_lineno:]), encoding="utf-8")
    elif kind in ("change a call", "change an import"):
        other = rng.choice(files)
        functions = _top_functions(other)
        if functions:
            name = rng.choice(functions).name
            if kind == "change an import" and other != path:
                _append(path, f"from {_module_name(root, other)} import {name} as kw_imported_{step}\n\n"
                              f"def kw_caller_{step}():\n    return kw_imported_{step}()\n")
            elif other == path:
                _append(path, f"\ndef kw_caller_{step}():\n    return {name}(1)\n")
            else:
                _append(path, f"\ndef kw_caller_{step}():\n    import {_module_name(root, other)} as m\n"
                              f"    return m.{name}()\n")
    elif kind == "rename a flag constant":
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str) and n.value.value]
        if constants:
            c = rng.choice(constants)
            lines = text.splitlines(keepends=True)
            line = lines[c.lineno - 1]
            lines[c.lineno - 1] = line[:c.col_offset] + repr(c.value + f"-r{step}") + line[c.end_col_offset:]
            path.write_text("".join(lines), encoding="utf-8")
    elif kind == "delete a module" and len(files) > 3 and path.name != "__init__.py" \
            and f".{path.stem}" not in configured:
        path.unlink()
    return f"{kind} {path.relative_to(root)}"


def _parses(lines: list[str]) -> bool:
    try:
        ast.parse("".join(lines))
    except SyntaxError:
        return False
    return True


def _observed(root: Path, cache: Cache) -> tuple:
    """Everything a run gives that an incremental run could get wrong (or the error it stops with)."""
    try:
        result, analysis = check(load_config(root), cache=cache, need_analysis=True)
    except KnightwatchError as exc:
        return ("error", str(exc))
    g = analysis.callgraph.graph
    sites = sorted((s.caller, s.scope, s.module, s.path, s.line, s.column, s.end_line, s.end_column, s.cond, s.pos,
                    s.index, sorted(s.targets.items())) for sites in analysis.callgraph.sites.values() for s in sites)
    by_module = [(m, [s.index for s in sites]) for m, sites in sorted(analysis.callgraph.sites_by_module.items())]
    return ([_finding_data(f) for f in result.findings], result.notes, [r.id for r in result.rules],
            sorted(g.nodes(data=True)), sorted((a, b, sorted(d.items())) for a, b, d in g.edges(data=True)),
            sites, by_module,
            sorted(repr((r.key, r.path, r.line)) for r in analysis.flags.reads))


@pytest.mark.parametrize("tree", ["smars", "pluggy"])
def test_random_edits_match_a_cold_run(tree: str, tmp_path: Path, smars_dir: Path, monkeypatch) -> None:
    if tree == "smars":
        root = tmp_path / "smars"
        shutil.copytree(smars_dir, root)
        package = "smars"
    else:
        root = tmp_path / "pluggy-project"
        shutil.copytree(Path(pluggy.__file__).parent, root / "pluggy", ignore=shutil.ignore_patterns("__pycache__"))
        (root / "pyproject.toml").write_text("[project]\nname = 'pluggy-copy'\n")
        package = "pluggy"
    reused = []
    load = analysis_module.load_stage
    monkeypatch.setattr(analysis_module, "load_stage", lambda *a: reused.append(load(*a)) or reused[-1])
    cache = Cache(tmp_path / "cache")
    rng = random.Random(f"incremental-{tree}")
    assert _observed(root, cache) == _observed(root, Cache(None))
    for step in range(STEPS):
        edit = _edit(rng, root, package, step)
        assert _observed(root, cache) == _observed(root, Cache(None)), f"step {step}: {edit}"
    assert any(r is not None for r in reused), "no step reused the stage (no edit left the summaries as they were)"
    assert any(r is None for r in reused)


def test_the_cache_travels_to_another_checkout(tmp_path: Path, smars_dir: Path, monkeypatch) -> None:
    """CI restores the cache of main's last run into a fresh checkout elsewhere: the stage is reused
    there (it holds no absolute path) and the result is a cold run's."""
    first, second = tmp_path / "runner-1" / "smars", tmp_path / "runner-2" / "checkout"
    shutil.copytree(smars_dir, first)
    _observed(first, Cache(tmp_path / "cache-1"))
    shutil.copytree(first, second)
    shutil.copytree(tmp_path / "cache-1", tmp_path / "cache-2")
    _append(second / "smars" / "router.py", "# a comment pushed since\n")
    reused = []
    load = analysis_module.load_stage
    monkeypatch.setattr(analysis_module, "load_stage", lambda *a: reused.append(load(*a)) or reused[-1])
    assert _observed(second, Cache(tmp_path / "cache-2")) == _observed(second, Cache(None))
    assert reused and reused[0] is not None


def test_another_build_never_loads_the_stage(tmp_path: Path, smars_dir: Path, monkeypatch) -> None:
    """The stage key digests knightwatch's build (source, version, Python version): a stage written
    by another build is not loaded."""
    import knightwatch.graphs.reuse as reuse

    root = tmp_path / "smars"
    shutil.copytree(smars_dir, root)
    cache = Cache(tmp_path / "cache")
    _observed(root, cache)
    reused = []
    load = analysis_module.load_stage
    monkeypatch.setattr(analysis_module, "load_stage", lambda *a: reused.append(load(*a)) or reused[-1])
    monkeypatch.setattr(reuse, "tool_digest", lambda: b"another knightwatch build or Python")
    assert _observed(root, cache) == _observed(root, Cache(None))
    assert reused == [None]


@pytest.mark.parametrize("payload", [b"", b"\x80\x05truncated", pickle.dumps(print), pickle.dumps(shutil.rmtree)])
def test_a_bad_stage_is_built_again(payload: bytes, tmp_path: Path, smars_dir: Path, monkeypatch) -> None:
    """A truncated stage, or one naming anything but the classes a call graph is made of (a cache
    restored in CI may come from elsewhere), is not loaded: the call graph is built again."""
    import knightwatch.graphs.reuse as reuse

    root = tmp_path / "smars"
    shutil.copytree(smars_dir, root)
    cache = Cache(tmp_path / "cache")
    _observed(root, cache)
    stage = tmp_path / "cache" / "stage.pickle"
    stage.write_bytes(stage.read_bytes()[:reuse.HEAD] + payload)  # this run's key, another payload
    reused = []
    load = analysis_module.load_stage
    monkeypatch.setattr(analysis_module, "load_stage", lambda *a: reused.append(load(*a)) or reused[-1])
    assert _observed(root, cache) == _observed(root, Cache(None))
    assert reused == [None]
    assert root.exists()
