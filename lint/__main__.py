"""`python -m knightwatch`."""

import os
import sys

# `python -m` puts the working directory first on sys.path: run inside the project being analysed,
# its json.py or click.py would be imported in place of ours. Analysed code is never run.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from knightwatch.cli import run  # noqa: E402

if __name__ == "__main__":  # not when a process-pool worker re-imports the main module
    run()
