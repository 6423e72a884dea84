"""Build of knightwatch: the hot modules compiled by mypyc from the same source, or pure Python.

Metadata lives in pyproject.toml; this file only adds the compiled modules. KNIGHTWATCH_COMPILE
chooses: "auto" (the default) compiles a wheel (`pip install .`, `pip wheel .`) and falls back to
pure Python when mypyc or a C compiler fails; "1" compiles and fails the build if it cannot; "0"
never compiles. An editable install (`pip install -e .`) is always pure Python, so that the source
being edited is the code that runs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

#: where CPU goes in a cold run (benchmarks/notes.md): the summariser in the parse workers, the
#: index and call graph in the main process. Paths under the package, compiled as one group.
COMPILED = ["source/schema.py", "graphs/index.py", "graphs/callgraph.py", "graphs/liveness.py", "graphs/reach.py"]
MODE = os.environ.get("KNIGHTWATCH_COMPILE", "auto").strip().lower()
#: setup.py commands that build a wheel (metadata, sdist and editable builds never compile)
BUILDS = {"bdist_wheel", "build", "build_ext", "install"}


def _wanted() -> bool:
    if MODE not in ("auto", "0", "1"):
        sys.exit(f"KNIGHTWATCH_COMPILE must be auto, 0 or 1, not {MODE!r}")
    return MODE != "0" and not {"editable_wheel", "develop"} & set(sys.argv) and bool(BUILDS & set(sys.argv))


def _staged() -> list[str]:
    """The package source copied under its import name (lint/ installs as `knightwatch`, and mypy
    names modules by their directories); the paths of the modules to compile in that copy."""
    here = Path(__file__).parent
    stage = here / "build" / "mypyc-src"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(here / "lint", stage / "knightwatch", ignore=shutil.ignore_patterns("__pycache__"))
    return [str((stage / "knightwatch" / p).relative_to(here)) for p in COMPILED]


def _extensions() -> list:
    if not _wanted():
        return []
    try:
        from mypyc.build import mypycify

        # the group's shared library is named after the package, not a hash of the paths
        config = f"--config-file={Path(__file__).parent / 'pyproject.toml'}"
        extensions = mypycify([config, *_staged()], group_name="knightwatch", opt_level="3")
    except (SystemExit, Exception) as exc:  # mypy reports type errors by exiting; ImportError: no mypyc
        if MODE == "1":
            raise
        print(f"knightwatch: not compiled ({type(exc).__name__}: {exc}); building pure Python", file=sys.stderr)
        return []
    for ext in extensions:
        # mypyc names the C field of attribute `_volatile` (Index) `__volatile`, a GCC/Clang keyword
        ext.define_macros = [*ext.define_macros, ("__volatile", "kw_volatile_")]
    return extensions


class OptionalBuildExt(build_ext):
    """Compile the extensions; in "auto" mode a failure (no C compiler) leaves the pure-Python modules."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            if MODE == "1":
                raise
            print(f"knightwatch: not compiled ({exc}); building pure Python", file=sys.stderr)
            for ext in self.extensions:  # a partial build would import half compiled: none of it
                path = Path(self.get_ext_fullpath(ext.name))
                path.unlink(missing_ok=True)
            self.extensions = []


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
