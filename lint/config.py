"""`[tool.knightwatch]` in the analysed project's pyproject.toml, validated key by key."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Any

from knightwatch.production.calendar import Calendar, parse_calendar
from knightwatch.errors import KnightwatchError
from knightwatch.source.layout import package_dirs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10
    import tomli as tomllib

#: flag-read functions known out of the box: dotted name suffix -> index of the key argument
DEFAULT_ACCESSORS: dict[str, int] = {
    **{f"get_{t}_{k}": 0 for t in ("boolean", "string", "integer", "float", "object") for k in ("value", "details")},
    **{f"get_{t}_{k}_async": 0 for t in ("boolean", "string", "integer", "float", "object") for k in ("value", "details")},
    "variation": 0,
    "variation_detail": 0,
    "migration_variation": 0,
    "is_enabled": 0,
    "get_variant": 0,
    "is_feature_enabled": 0,
    "get_feature_value": 0,
    "get_flag": 0,
    "is_on": 0,
    "is_off": 0,
    "eval_feature": 0,
    "feature_enabled": 0,
    "get_feature_flag": 0,
    "flag_is_active": 1,
    "switch_is_active": 0,
    "sample_is_active": 0,
    "waffle_flag": 0,
    "waffle_switch": 0,
    "get_treatment": 1,
}

SCHEMA: dict[str, dict[str, type | tuple]] = {
    "": {
        "source": list,
        "exclude": list,
        "entry-points": list,
        "coverage": list,
        "max-file-size": int,
        "project": str,
        "dead-code-tests": str,
        "fail-on": str,
        "select": list,
        "ignore": list,
        "baseline": str,
        "paths": dict,
        "flags": dict,
        "releases": dict,
        "safety": dict,
        "hosts": dict,
        "calendar": dict,
    },
    "flags": {"accessors": list, "registry": str, "config-objects": list, "settings-classes": list,
              "env-constants": bool},
    "safety": {"sinks": list, "breakers": list},
    "releases": {"tags": str, "max": int},
}

#: releases flag lineage compares when `[tool.knightwatch.releases]` gives no `max`
DEFAULT_RELEASES = 10


@dataclass
class Config:
    """Resolved configuration. Paths are absolute; dotted names as written."""

    root: Path
    file: Path | None = None
    source: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    entry_points: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    paths: dict[str, list[str]] = field(default_factory=dict)
    accessors: list[str] = field(default_factory=list)
    registry: Path | None = None
    #: configuration objects whose items and attributes are flags (`app.settings.CONFIG`, `self.config`)
    config_objects: list[str] = field(default_factory=list)
    #: classes (or external bases) whose instances' attributes are flags (pydantic BaseSettings)
    settings_classes: list[str] = field(default_factory=list)
    #: module constants read from the environment (`X = os.getenv("X") == "1"`) are flags
    env_constants: bool = False
    sinks: list[str] = field(default_factory=list)
    breakers: list[str] = field(default_factory=list)
    max_file_size: int = 2_000_000
    fail_on: str = "low"
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    baseline: Path | None = None
    #: folder -> the package it holds, from the project's packaging metadata (`layout.package_dirs`)
    package_dirs: dict[str, str] = field(default_factory=dict)
    #: flag values a release will ship with (`check --candidate-flags`): KW501 judges what they wake
    candidate_flags: dict[str, bool] | None = None
    #: coverage data files of the project's test suite (`check --test-coverage`), each with a digest of
    #: its content (so a stored run is replayed only for the same data): KW502 reads them
    test_coverage: tuple[tuple[str, str], ...] = ()
    project: str | None = None  # "application" or "library"; None: not set (`knightwatch.graphs.liveness`)
    #: "users": code the project's tests use is used (KW102); "ignore": only the entry points count
    dead_code_tests: str = "users"

    hosts: dict[str, str] = field(default_factory=dict)  # host (or "default") -> git revision it runs
    #: `[tool.knightwatch.calendar]`: events that code is tied to, and each host's coverage window
    calendar: Calendar | None = None
    #: flag lineage (`[tool.knightwatch.releases]`): (tag pattern, or "" for the last commits that
    #: touched flag reads; how many releases at most), None when the table is absent
    releases: tuple[str, int] | None = None
    #: when `root` is an exported copy (`--baseline-ref`): the project in its git repository and the
    #: revision exported, whose releases (those merged into it) flag lineage reads
    history: tuple[Path, str] | None = None

    @property
    def where(self) -> str:
        return str(self.file) if self.file else "configuration"


def _check(table: dict[str, Any], section: str, file: Path) -> None:
    prefix = "tool.knightwatch" + (f".{section}" if section else "")
    for key, value in table.items():
        expected = SCHEMA[section].get(key)
        if expected is None:
            known = ", ".join(sorted(SCHEMA[section]))
            raise KnightwatchError(f"{file}: unknown key [{prefix}] {key!r} (known keys: {known})")
        if not isinstance(value, expected) or isinstance(value, bool) and expected is int:
            raise KnightwatchError(f"{file}: [{prefix}] {key!r} must be {_toml_type(expected)}, not {_toml_type(type(value))}")
        if expected is list and not all(isinstance(v, str) for v in value):
            raise KnightwatchError(f"{file}: [{prefix}] {key!r} must be an array of strings")


def _toml_type(python_type: type) -> str:
    """How TOML calls a value of PYTHON_TYPE, with its article."""
    names = {str: "a string", int: "an integer", bool: "a boolean", float: "a float", list: "an array",
             dict: "a table"}
    return names.get(python_type, "a date" if python_type.__module__ == "datetime" else python_type.__name__)


def _check_flag_sources(flags: dict[str, Any], file: Path) -> None:
    """`config-objects` are dotted names or `self.<attribute>`; `settings-classes` dotted names."""
    for key in ("config-objects", "settings-classes"):
        for value in flags.get(key, []):
            parts = value.split(".")
            if not all(p.isidentifier() for p in parts) or len(parts) < (2 if key == "config-objects" else 1):
                shape = "a dotted name (module.variable) or self.<attribute>" if key == "config-objects" \
                    else "a dotted class name"
                raise KnightwatchError(f"{file}: [tool.knightwatch.flags] {key!r}: {value!r} is not {shape}")
            if key == "config-objects" and parts[0] == "self" and len(parts) != 2:
                raise KnightwatchError(f"{file}: [tool.knightwatch.flags] {key!r}: {value!r}: "
                                       "give self.<attribute> (one attribute)")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise KnightwatchError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise KnightwatchError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise KnightwatchError(f"{path}: invalid TOML: not UTF-8 (byte {exc.start})") from None
    except RecursionError:
        raise KnightwatchError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


def _check_sources(root: Path, entries: list[str], file: Path) -> None:
    """Each `source` entry must be a directory or a .py file inside the project."""
    for entry in entries:
        where = f"{file}: [tool.knightwatch] 'source': {entry!r}"
        if Path(entry).is_absolute() or os.path.normpath(entry).split(os.sep)[0] == "..":
            raise KnightwatchError(f"{where} is outside the project (give a path relative to {root})")
        top = root / entry
        if not (top.is_dir() or top.is_file() and top.suffix == ".py"):
            raise KnightwatchError(f"{where} is not a directory or a .py file under {root}")


def load_config(root: Path) -> Config:
    """Read `[tool.knightwatch]` from ROOT/pyproject.toml; an unconfigured project gets defaults."""
    root = root.resolve()
    if not root.exists():
        raise KnightwatchError(f"{root}: no such directory")
    if not root.is_dir():
        raise KnightwatchError(f"{root}: not a directory")
    file = root / "pyproject.toml"
    if not file.is_file():
        return Config(root=root, package_dirs=package_dirs({}, root))
    pyproject = _read_toml(file)
    tool = pyproject.get("tool", {})
    if not isinstance(tool, dict):
        raise KnightwatchError(f"{file}: [tool] must be a table")
    data = tool.get("knightwatch")
    if data is None:
        return Config(root=root, package_dirs=package_dirs(pyproject, root))
    if not isinstance(data, dict):
        raise KnightwatchError(f"{file}: [tool.knightwatch] must be a table")
    _check(data, "", file)
    flags = data.get("flags", {})
    safety = data.get("safety", {})
    _check(flags, "flags", file)
    _check_flag_sources(flags, file)
    _check(safety, "safety", file)
    releases = data.get("releases")
    _check(releases or {}, "releases", file)
    if releases and releases.get("max", 1) < 1:
        raise KnightwatchError(f"{file}: [tool.knightwatch.releases] 'max' must be a positive number of releases")
    if releases and "tags" in releases and not releases["tags"].strip():
        raise KnightwatchError(f"{file}: [tool.knightwatch.releases] 'tags' must be a tag pattern such as \"v*\"")
    paths = data.get("paths", {})
    for key, aliases in paths.items():
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise KnightwatchError(f"{file}: [tool.knightwatch.paths] {key!r} must be an array of strings")
    hosts = data.get("hosts", {})
    for key, ref in hosts.items():
        if not isinstance(ref, str) or not ref.strip():
            raise KnightwatchError(f"{file}: [tool.knightwatch.hosts] {key!r} must be a git revision (a string)")
    for key in ("entry-points",):
        for value in data.get(key, []):
            if ":" not in value or not all(value.split(":", 1)):
                raise KnightwatchError(f"{file}: [tool.knightwatch] {key!r}: {value!r} is not 'module:function'")
    if data.get("max-file-size", 1) < 1:
        raise KnightwatchError(f"{file}: [tool.knightwatch] 'max-file-size' must be a positive number of bytes")
    _check_sources(root, data.get("source", []), file)
    for name in ("fail-on",):
        if name in data and data[name].lower() not in ("critical", "high", "medium", "low"):
            raise KnightwatchError(f"{file}: [tool.knightwatch] {name!r} must be critical, high, medium or low")
    if data.get("project", "application") not in ("application", "library"):
        raise KnightwatchError(f"{file}: [tool.knightwatch] 'project' must be application or library")
    if data.get("dead-code-tests", "users") not in ("users", "ignore"):
        raise KnightwatchError(f"{file}: [tool.knightwatch] 'dead-code-tests' must be users or ignore")
    registry = flags.get("registry")
    baseline = data.get("baseline")
    return Config(
        root=root,
        file=file,
        source=data.get("source", []),
        exclude=data.get("exclude", []),
        entry_points=data.get("entry-points", []),
        coverage=data.get("coverage", []),
        paths=paths,
        accessors=flags.get("accessors", []),
        registry=(root / registry) if registry else None,
        config_objects=flags.get("config-objects", []),
        settings_classes=flags.get("settings-classes", []),
        env_constants=flags.get("env-constants", False),
        sinks=safety.get("sinks", []),
        breakers=safety.get("breakers", []),
        max_file_size=data.get("max-file-size", 2_000_000),
        fail_on=data.get("fail-on", "low").lower(),
        select=data.get("select", []),
        ignore=data.get("ignore", []),
        baseline=(root / baseline) if baseline else None,
        package_dirs=package_dirs(pyproject, root),
        project=data.get("project"),
        dead_code_tests=data.get("dead-code-tests", "users"),
        hosts=hosts,
        calendar=parse_calendar(data["calendar"], file) if "calendar" in data else None,
        releases=None if releases is None else (releases.get("tags", ""), releases.get("max", DEFAULT_RELEASES)),
    )


def coverage_files(config: Config, patterns: list[str]) -> list[Path]:
    """The coverage data files PATTERNS (globs, relative to the project root) name; each must match one."""
    found: list[Path] = []
    for pattern in patterns:
        full = pattern if os.path.isabs(pattern) else str(config.root / pattern)
        matches = sorted(glob(full))
        if not matches:
            raise KnightwatchError(f"coverage data {pattern!r} matches no file (relative to {config.root})")
        found += [Path(m) for m in matches]
    return found
