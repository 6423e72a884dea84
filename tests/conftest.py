"""Shared test settings."""

import os

import pytest

os.environ.setdefault("KNIGHTWATCH_TODAY", "2026-11-23")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds (still run by .ci/run)")
    config.addinivalue_line("markers", "callgraph_accuracy: scores the call graph against tests/callgraph")
    config.addinivalue_line("markers", "compiled: builds the mypyc wheel (minutes; .ci/run: pytest -m compiled)")


@pytest.fixture
def smars_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "fixtures" / "smars"
