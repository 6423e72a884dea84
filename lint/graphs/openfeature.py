"""The OpenFeature CLI flag manifest as a flag registry: read (`registry = "flags.json"`) and written
(`knightwatch flags --format openfeature`).

Shape (open-feature/cli `schema/v0/flag_manifest.json`, see the shared facts): `{"$schema": ...,
"flags": {"<key>": {"flagType": "boolean"|"string"|"integer"|"float"|"object", "defaultValue":
..., "description": "..."}}}`, at least one flag. Owner, kind and dates have no place in it.
"""

from __future__ import annotations

import json
from pathlib import Path

from knightwatch.errors import KnightwatchError
from knightwatch.graphs.flags import FLAG_TYPES, FlagSpec

SCHEMA_URL = "https://raw.githubusercontent.com/open-feature/cli/main/schema/v0/flag_manifest.json"
ZERO = {"boolean": False, "string": "", "integer": 0, "float": 0.0, "object": {}}
#: OpenFeature evaluation methods -> the flag type they read (`get_string_value` reads a string flag)
ACCESSOR_TYPES = {f"get_{t}_{k}{a}": t for t in FLAG_TYPES for k in ("value", "details") for a in ("", "_async")}


def a_type(flag_type: str) -> str:
    """FLAG_TYPE with its article: `an integer`, `a string`."""
    return f"an {flag_type}" if flag_type[0] in "aeiou" else f"a {flag_type}"


def fits(flag_type: str, value) -> bool:
    """VALUE is a defaultValue of FLAG_TYPE (a JSON boolean is no number)."""
    if flag_type == "boolean":
        return isinstance(value, bool)
    if flag_type == "string":
        return isinstance(value, str)
    if flag_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if flag_type == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, dict)


def load_manifest(file: Path) -> dict[str, FlagSpec]:
    """The flags of an OpenFeature manifest, as registry entries (kind release, no owner)."""
    try:
        text = file.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KnightwatchError(f"{file}: not a JSON flag manifest: {exc}") from None
    flags = data.get("flags") if isinstance(data, dict) else None
    if not isinstance(flags, dict) or not flags:
        raise KnightwatchError(f'{file}: not an OpenFeature flag manifest (needs a non-empty "flags" object)')
    lines = text.splitlines()
    specs = {}
    for key, entry in flags.items():
        where = f"{file}: flag {key!r}"
        if not isinstance(entry, dict):
            raise KnightwatchError(f"{where} must be an object")
        flag_type = entry.get("flagType")
        if flag_type not in FLAG_TYPES:
            raise KnightwatchError(f"{where}: flagType {flag_type!r} is not one of {', '.join(FLAG_TYPES)}")
        if "defaultValue" not in entry or not fits(flag_type, entry["defaultValue"]):
            raise KnightwatchError(f"{where}: defaultValue {entry.get('defaultValue')!r} is not {a_type(flag_type)}")
        if not isinstance(entry.get("description", ""), str):
            raise KnightwatchError(f"{where}: description must be a string")
        line = next((i for i, t in enumerate(lines, 1) if f"{json.dumps(key)}:" in t.replace('" :', '":')), 1)
        specs[key] = FlagSpec(key, line=line, description=entry.get("description", ""), flag_type=flag_type,
                              default=entry["defaultValue"])
    return specs


def _flag_type(spec: FlagSpec | None, accessors: set[str]) -> str:
    """The registry's type, else the one OpenFeature evaluation methods read it as, else boolean."""
    if spec and spec.flag_type:
        return spec.flag_type
    read_as = {ACCESSOR_TYPES[a.rpartition(".")[2]] for a in accessors if a.rpartition(".")[2] in ACCESSOR_TYPES}
    return read_as.pop() if len(read_as) == 1 else "boolean"


def to_manifest(analysis) -> str:
    """Every flag key of the registry and of the code as an OpenFeature manifest."""
    specs = analysis.registry.flags if analysis.registry else {}
    reads = analysis.flags.by_key() if analysis.flags else {}
    flags = {}
    for key in sorted(set(specs) | set(reads)):
        spec = specs.get(key)
        flag_type = _flag_type(spec, {r.accessor for r in reads.get(key, [])})
        default = spec.default if spec and spec.default is not None else ZERO[flag_type]
        if not fits(flag_type, default):
            raise KnightwatchError(f"flag {key!r}: default {default!r} is not {a_type(flag_type)} (registry 'default')")
        entry = {"flagType": flag_type, "defaultValue": default}
        if spec and spec.description:
            entry["description"] = spec.description
        flags[key] = entry
    if not flags:
        raise KnightwatchError("no flags to write: an OpenFeature manifest needs at least one flag")
    return json.dumps({"$schema": SCHEMA_URL, "flags": flags}, indent=2) + "\n"
