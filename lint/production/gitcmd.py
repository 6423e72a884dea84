"""Running git on the analysed project without running any of its code.

A repository's own configuration can name programs git runs: `core.fsmonitor`, hooks (`git status`
may refresh the index and fire `post-index-change`). knightwatch never executes the code it reads,
so every git command it runs switches both off.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

#: configuration that keeps git from running anything the repository names
SAFE = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null")


def git(root: Path, *args: str, text: bool = False, timeout: float | None = 120) -> subprocess.CompletedProcess:
    """`git -C ROOT ARGS` with SAFE settings, output captured. Raises OSError when git is missing and
    subprocess.SubprocessError on a time-out."""
    return subprocess.run(["git", *SAFE, "-C", str(root), *args], capture_output=True, text=text, timeout=timeout)
