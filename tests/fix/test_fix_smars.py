"""`knightwatch fix` on the SMARS fixture: the result still runs the fixture's own production day."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from knightwatch.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _simulation():
    spec = importlib.util.spec_from_file_location("generate_coverage", FIXTURES / "generate_coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fix(root: Path, *args: str):
    result = CliRunner().invoke(main, ["fix", str(root), "--no-cache", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file() and "cache" not in p.as_posix() and ".coverage" not in p.name}


@pytest.fixture
def smars(tmp_path: Path) -> Path:
    root = tmp_path / "smars"
    shutil.copytree(FIXTURES / "smars", root)
    return root


#: a host with the current config, and the one the deploy missed (legacy order types: Power Peg's path)
HOSTS = ("nyc-smars-01", "nyc-smars-08")


def run_day(root: Path, tmp_path: Path, monkeypatch) -> list[str]:
    """The fixture's own production day (deploy, then a trading day under coverage) on HOSTS, from
    the fixed package: the data files written. Fails naming the host whose server failed."""
    simulation = _simulation()
    monkeypatch.setattr(simulation, "PACKAGE", root / "smars")
    out = tmp_path / "prodcov-after"
    out.mkdir()
    running = {host: simulation.trade_day(simulation.deploy(tmp_path / "deploy", host), host, out) for host in HOSTS}
    for host, process in running.items():
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, f"{host}: {stderr}"
    return sorted(p.name for p in out.iterdir())


@pytest.mark.parametrize("value", ["on", "off"])
def test_retiring_the_recycled_flag_leaves_a_router_that_trades(smars, tmp_path, monkeypatch, value):
    before = tree(smars)
    result = fix(smars, "--flag", f"routing.mode-7={value}")
    assert result.exit_code == 0, result.stderr
    after = tree(smars)
    assert "routing.mode-7" not in after["flags.toml"]
    assert "RLP_ENABLED" not in after["smars/flags.py"] and "is_on(RLP_ENABLED)" not in after["smars/rlp.py"]
    assert "PEG_ORDERS" not in after["smars/router.py"]
    if value == "off":  # Power Peg and RLP price improvement go, with what only they used
        assert "smars/legacy/power_peg.py" not in after
        assert "_improved_price" not in after["smars/rlp.py"] and "IMPROVEMENT" not in after["smars/rlp.py"]
        assert "if parent.retail and self.legacy_order_types" not in after["smars/router.py"]
    else:  # both branches of the readers stay, ungated
        assert "if parent.retail and self.legacy_order_types:  # expect: KW201 critical" in after["smars/router.py"]
        assert "            if gateway.retail_program:\n" in after["smars/rlp.py"]
        assert "PEG_ORDERS" not in after["smars/legacy/power_peg.py"]
    assert after["smars/venues.py"] == before["smars/venues.py"]
    assert run_day(smars, tmp_path, monkeypatch) == [f".coverage.{host}" for host in HOSTS]
    again = fix(smars, "--flag", f"routing.mode-7={value}")
    assert again.exit_code == 0 and tree(smars) == after  # idempotent
