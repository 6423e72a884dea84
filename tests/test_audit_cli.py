"""`knightwatch audit`: files written, formats, --previous, --json and errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from knightwatch.cli import main


def _audit(*args):
    return CliRunner().invoke(main, ["audit", *args, "--no-cache"])


def test_writes_html_and_json_beside_it(smars_dir, tmp_path):
    out = tmp_path / "report.html"
    result = _audit(str(smars_dir), "--output", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Legacy-risk audit: smars" in page
    model = json.loads((tmp_path / "report.json").read_text())
    assert model["schema"] == "knightwatch-audit/1" and model["summary"]["findings"] == 8
    assert model["trend"] is None


def test_previous_adds_the_trend(smars_dir, tmp_path):
    first = tmp_path / "week1.html"
    assert _audit(str(smars_dir), "-o", str(first)).exit_code == 0
    old = json.loads((tmp_path / "week1.json").read_text())
    old["findings"] = old["findings"][1:]
    old["generated"] = "2026-11-16"
    (tmp_path / "week1.json").write_text(json.dumps(old))
    result = _audit(str(smars_dir), "-o", str(tmp_path / "week2.html"), "--previous", str(tmp_path / "week1.json"),
                    "--json", str(tmp_path / "latest.json"))
    assert result.exit_code == 0, result.output
    trend = json.loads((tmp_path / "latest.json").read_text())["trend"]
    assert trend["previous_generated"] == "2026-11-16" and len(trend["appeared"]) == 1 and trend["fixed"] == []
    assert "Since the audit of 2026-11-16: 1 new finding, 0 fixed." in (tmp_path / "week2.html").read_text()
    assert not (tmp_path / "week2.json").exists()


def test_markdown_to_stdout_writes_no_json(smars_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _audit(str(smars_dir), "--format", "markdown", "-o", "-")
    assert result.exit_code == 0
    assert result.output.startswith("# Legacy-risk audit: smars\n") and "## Host drift" in result.output
    assert list(tmp_path.iterdir()) == []


def test_default_names(smars_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _audit(str(smars_dir), "--format", "markdown").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.md"]


def test_errors_are_one_line(smars_dir, tmp_path):
    bad = tmp_path / "old.json"
    bad.write_text("[]")
    for args, message in [
        (["--previous", str(bad), "-o", str(tmp_path / "r.html")], f"{bad}: not a knightwatch audit JSON"),
        (["-o", str(tmp_path / "r.json")], "--json and --output both name"),
        (["--previous", str(tmp_path / "missing.json"), "-o", str(tmp_path / "r.html")],
         "missing.json: cannot read previous audit"),
    ]:
        result = _audit(str(smars_dir), *args)
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
        assert not (tmp_path / "r.html").exists()
    missing = _audit(str(tmp_path / "nowhere"), "-o", str(tmp_path / "r.html"))
    assert missing.exit_code == 2 and missing.output.count("\n") == 1 and "no such directory" in missing.output
