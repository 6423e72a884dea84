"""Fuzz `knightwatch check` with mutated real sources, configs and flag registries.

Every case is a copy of the SMARS fixture (its production coverage included) with some files
mutated by a hypothesis strategy: lines deleted, duplicated, swapped or re-indented, punctuation and
raw bytes inserted, coding cookies and BOMs added, expressions nested thousands deep, newer syntax
spliced in; `pyproject.toml` and `flags.toml` get random keys, types and text. A case passes when
the CLI ends with exit 0, 1 or 2 and no traceback, exit 2 comes with one-line `knightwatch: error:`
messages, and every file Python cannot parse gets exactly one KW000 finding (no file is lost).

    python benchmarks/fuzz.py [--cases N] [--kind sources|config|all] [--seed S]

Exit status 0 when every case passes, 1 with the first (shrunk) failing case printed.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import libcst
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from knightwatch.cli import main

SMARS = Path(__file__).resolve().parent.parent / "fixtures" / "smars"
SOURCES = sorted(p.relative_to(SMARS).as_posix() for p in (SMARS / "smars").rglob("*.py"))
CORPUS = {rel: (SMARS / rel).read_text(encoding="utf-8") for rel in SOURCES}
REAL_CONFIG = {name: (SMARS / name).read_text(encoding="utf-8") for name in ("pyproject.toml", "flags.toml")}
CORPUS_LINES = sorted({line for text in CORPUS.values() for line in text.splitlines() if line.strip()})
SNIPPETS = [
    "match order:\n    case {'side': s, **rest} if s:\n        pass\n    case [a, *b]:\n        pass\n",
    "type Alias[T] = list[T]\n",
    "def generic[T: int, *Ts, **P](x: T) -> T:\n    return x\n",
    "class Box[T]:\n    pass\n",
    "try:\n    pass\nexcept* ValueError as eg:\n    pass\n",
    "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    "x = f'{a!r:>{width}} {b=}' + t'{c}'\n",
    "async def g():\n    async with a as b, c:\n        await b\n    async for i in g():\n        yield i\n",
    "if (n := len(a)) > 10:\n    pass\n",
    "global GLOBAL\nnonlocal x\n",
    "from . import *\nfrom .. import x as y\nfrom .......deep import z\n",
    "@decorator(arg)\n@other\nclass C(Base, metaclass=M):\n    def m(self, /, a, *, b): ...\n",
    "lambda *a, **k: (yield)\n",
    "def f(\n",
    "\tif True:\n        pass\n",
    "x = '''unterminated\n",
    "del a[0], b.c\nassert x, 'msg'\nraise X from Y\n",
    "print 'python 2'\nexec 'code'\n",
    "__all__ = ['f'] + ['g']\n__all__ += ['h']\n",
    "getattr(obj, 'send' + name)(order)\nglobals()['route'](order)\n",
]
PUNCTUATION = "()[]{}:;,.=@*+-/%<>!~^&|\\'\"#\n\t \r\x0c_0123456789abcdefxyzifdefclassreturnlambdaawait"
NEST = ["(", "[", "{", "not ", "-", "a.", "lambda: ", "f(", "a[", "await ", "x if y else ", "1+"]
COOKIES = ["latin-1", "utf-8", "utf-16", "utf-32", "bogus", "rot13", "ascii", "cp1252", "utf-8-sig", "hex"]
CONFIG_KEYS = {
    "": ["source", "exclude", "entry-points", "coverage", "max-file-size", "fail-on", "select", "ignore",
         "baseline", "paths", "flags", "safety", "unknown-key"],
    "flags": ["accessors", "registry", "bogus"],
    "safety": ["sinks", "breakers", "bogus"],
}
NAMES = ["smars", "smars.server:main", "smars.venues.Gateway.send", "smars.risk.check_cumulative", "missing:fn",
         "flags.toml", "prodcov/.coverage.*", "nowhere/*", "../outside", "/abs", "", "KW1", "ALL", "critical",
         "sm ars", "ü", "*", "**/*.py", "smars.nothing", "a:b:c", "HIGH", "2012-13-45"]
REGISTRY_FIELDS = ["owner", "kind", "created", "expires", "description", "extra"]


@dataclass(frozen=True)
class Case:
    """Files to overwrite in a copy of SMARS (relative path -> bytes) and extra CLI arguments.

    Cases share one summary cache, so unmutated files are read from it (and the cache is fuzzed too).
    """

    files: tuple[tuple[str, bytes], ...]
    args: tuple[str, ...] = ()


# -- strategies ------------------------------------------------------------------------------


def _insert(text: str, at: int, piece: str) -> str:
    at = min(at, len(text))
    return text[:at] + piece + text[at:]


@st.composite
def text_mutation(draw, text: str) -> str:
    lines = text.splitlines(keepends=True) or ["\n"]
    n = len(lines)
    op = draw(st.sampled_from(["delete", "dup", "swap", "indent", "chars", "truncate", "snippet", "nest", "line"]))
    i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
    if op == "delete":
        del lines[i:i + draw(st.integers(1, 5))]
    elif op == "dup":
        lines.insert(i, lines[i])
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent":
        lines[i] = draw(st.sampled_from(["", " ", "    ", "\t", "        "])) + lines[i].lstrip(" \t")
    elif op == "chars":
        return _insert(text, draw(st.integers(0, len(text))), draw(st.text(PUNCTUATION, min_size=1, max_size=8)))
    elif op == "truncate":
        return text[:draw(st.integers(0, len(text)))]
    elif op == "snippet":
        lines.insert(i, draw(st.sampled_from(SNIPPETS)))
    elif op == "line":
        lines.insert(i, draw(st.sampled_from(CORPUS_LINES)) + "\n")
    else:  # nest
        opener = draw(st.sampled_from(NEST))
        depth = draw(st.sampled_from([10, 100, 250, 1000, 3000]))
        closer = {"(": ")", "[": "]", "{": "}", "f(": ")", "a[": "]"}.get(opener, "")
        lines.insert(i, "value = " + opener * depth + "x" + closer * depth + "\n")
    return "".join(lines)


@st.composite
def mutated_bytes(draw, text: str) -> bytes:
    for _ in range(draw(st.integers(1, 4))):
        text = draw(text_mutation(text))
    data = text.encode("utf-8", "surrogatepass")
    op = draw(st.sampled_from(["none", "none", "bytes", "cookie", "bom", "crlf"]))
    if op == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
    elif op == "cookie":
        cookie = f"# -*- coding: {draw(st.sampled_from(COOKIES))} -*-\n".encode()
        data = (cookie + data) if draw(st.booleans()) else (b"#!/usr/bin/env python\n" + cookie + data)
    elif op == "bom":
        data = b"\xef\xbb\xbf" + data
    elif op == "crlf":
        data = data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r"])))
    return data


@st.composite
def source_case(draw) -> Case:
    chosen = draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=3, unique=True))
    files = tuple((rel, draw(mutated_bytes(CORPUS[rel]))) for rel in chosen)
    coverage = draw(st.sampled_from([(), ("--coverage", str(SMARS / "prodcov" / ".coverage.*"))]))
    return Case(files, coverage)


def _toml_value(draw) -> str:
    strings = st.sampled_from(NAMES)
    return draw(st.one_of(
        strings.map(json.dumps),
        st.lists(strings, max_size=3).map(json.dumps),
        st.integers(-5, 10**12).map(str),
        st.sampled_from(["true", "1.5", "2012-08-01", "[1, 2]", "{}", "{ smars = ['/deploy/*'] }", "[[1]]"]),
    ))


@st.composite
def pyproject_text(draw) -> str:
    sections = []
    for section, keys in CONFIG_KEYS.items():
        chosen = draw(st.lists(st.sampled_from(keys), max_size=4, unique=True))
        header = "[tool.knightwatch" + (f".{section}" if section else "") + "]"
        body = [f"{json.dumps(k)} = {_toml_value(draw)}" for k in chosen if k not in ("flags", "safety")]
        sections.append("\n".join([header] + body))
    text = "\n\n".join(sections) + "\n"
    if draw(st.integers(0, 4)) == 0:  # sometimes not even TOML
        text = draw(text_mutation(text))
    return text


@st.composite
def registry_text(draw) -> str:
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(["routing.mode-7", "risk.kill-switch", "", "a\"b", "ü"]))
        body = []
        for name in draw(st.lists(st.sampled_from(REGISTRY_FIELDS), max_size=4, unique=True)):
            value = draw(st.sampled_from(['"rlp"', '"release"', '"kill-switch"', '"weird"', "2012-06-18",
                                          '"2012-02-30"', '"not a date"', "3", "2012-06-18T10:00:00", "[]"]))
            body.append(f"{name} = {value}")
        entries.append(f"[flags.{json.dumps(key)}]\n" + "\n".join(body))
    text = "\n\n".join(entries) + "\n"
    return draw(text_mutation(text)) if draw(st.booleans()) else text


@st.composite
def config_case(draw) -> Case:
    """A generated or mutated-real pyproject.toml, and maybe a generated or mutated-real flags.toml."""
    pyproject = draw(st.one_of(pyproject_text(), text_mutation(REAL_CONFIG["pyproject.toml"])))
    registry = draw(st.one_of(st.none(), registry_text(), text_mutation(REAL_CONFIG["flags.toml"])))
    files = [("pyproject.toml", pyproject)] + ([("flags.toml", registry)] if registry is not None else [])
    return Case(tuple((name, text.encode("utf-8", "surrogatepass")) for name, text in files))


def any_case() -> st.SearchStrategy[Case]:
    return st.one_of(source_case(), config_case())


# -- running and checking -----------------------------------------------------------------------


def expected_kw000(data: bytes) -> set[int]:
    """How many KW000 findings a file must get, by an oracle independent of knightwatch's reading
    code: {0} when this interpreter compiles it, {1} when neither it nor LibCST's newest grammar
    parses it, {0, 1} for newer syntax (LibCST parses it; the compiler's checks are not known)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            tree = None
        try:
            if tree is not None:
                compile(tree, "<fuzz>", "exec", dont_inherit=True)  # compiled, never run
                return {0}
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return {1}
    return {0, 1} if _libcst_parses(data) else {1}


def _libcst_parses(data: bytes) -> bool:
    """Whether LibCST's newest grammar parses DATA. Deeply bracketed input can overflow LibCST's
    native stack, so that is tried in a child process (a crash counts as not parsed)."""
    if data.count(b"(") + data.count(b"[") + data.count(b"{") < 150:
        try:
            libcst.parse_module(data, config=libcst.PartialParserConfig(python_version="3.14"))
            return True
        except Exception:
            return False
    code = "import sys, libcst; libcst.parse_module(sys.stdin.buffer.read(), " \
           "config=libcst.PartialParserConfig(python_version='3.14'))"
    return subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, timeout=600).returncode == 0


def check_case(case: Case, workdir: Path) -> str | None:
    """Run one case; None when it passes, else why it failed."""
    root = workdir / "smars"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(SMARS, root, ignore=shutil.ignore_patterns("prodcov", "__pycache__", ".knightwatch_cache"))
    (root / "prodcov").symlink_to(SMARS / "prodcov", target_is_directory=True)  # read, never written
    for rel, data in case.files:
        (root / rel).write_bytes(data)
    args = ["check", str(root), "--format", "json", "--cache-dir", str(workdir / "cache"), "--no-progress", *case.args]
    result = CliRunner().invoke(main, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        return "traceback:\n" + "".join(traceback.format_exception(result.exception))
    if result.exit_code not in (0, 1, 2):
        return f"exit code {result.exit_code}"
    if "Traceback" in result.stderr:
        return f"traceback on stderr:\n{result.stderr}"
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        if not lines or not all(line.startswith("knightwatch: ") for line in lines):
            return f"exit 2 without a one-line error: {result.stderr!r}"
        return None
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        return f"report is not JSON ({exc}): {result.stdout[:200]!r}"
    kw000 = Counter(f["path"] for f in report["findings"] if f["rule"] == "KW000")
    for rel in SOURCES:
        want = expected_kw000((root / rel).read_bytes())
        got = kw000.get(rel, 0)
        if got not in want and not (got == 1 and "nested too deeply" in _message(report, rel)):
            return f"{rel}: {got} KW000 finding(s), expected {' or '.join(map(str, sorted(want)))}"
    return None


def _message(report: dict, rel: str) -> str:
    return " ".join(f["message"] for f in report["findings"] if f["rule"] == "KW000" and f["path"] == rel)


def fuzz(strategy: st.SearchStrategy[Case], cases: int, seed: int | None = None) -> None:
    """Run CASES examples of STRATEGY; raises AssertionError with the shrunk failing case."""
    with tempfile.TemporaryDirectory(prefix="kw-fuzz-") as tmp:
        workdir = Path(tmp)

        @settings(max_examples=cases, deadline=None, database=None, derandomize=seed is None,
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def run(case: Case) -> None:
            problem = check_case(case, workdir)
            assert problem is None, problem

        if seed is not None:
            run = __import__("hypothesis").seed(seed)(run)
        run()


def main_cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="number of cases (default 2000)")
    parser.add_argument("--kind", choices=["sources", "config", "all"], default="all")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a fixed derandomised run)")
    args = parser.parse_args(argv)
    strategy = {"sources": source_case(), "config": config_case(), "all": any_case()}[args.kind]
    try:
        fuzz(strategy, args.cases, args.seed)
    except AssertionError as exc:
        notes = "\n".join(getattr(exc, "__notes__", []))  # hypothesis adds the falsifying example
        print(f"fuzz: FAILED\n{exc}\n{notes}", file=sys.stderr)
        return 1
    print(f"fuzz: {args.cases} {args.kind} cases, no traceback, every unparsable file reported once")
    return 0


if __name__ == "__main__":
    sys.exit(main_cli())
