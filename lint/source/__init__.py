"""Per-file analysis: find the files, parse them, summarise each one (cached, across processes)."""
