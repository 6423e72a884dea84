"""JUnit XML: a failing testcase per active finding, a skipped one per suppressed finding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from knightwatch.finding import Finding
from knightwatch.output.report.common import location, ordered, step_line
from knightwatch.result import TOOL_NAME, RunResult

#: characters XML 1.0 cannot carry, even escaped
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _details(f: Finding) -> str:
    lines = [f"{f.rule} {f.name} ({f.severity.label}) at {location(f)}", f.message]
    if f.snippet:
        lines += ["", f"  {f.line} | {f.snippet.rstrip()}"]
    if f.trace:
        lines += ["", "path:"] + [f"  {step_line(s)}" for s in f.trace]
    return _clean("\n".join(lines) + "\n")


def _testcase(suite: ET.Element, f: Finding) -> None:
    case = ET.SubElement(suite, "testcase", classname=_clean(f.rule), name=_clean(f"{f.path}:{f.line}"))
    if f.suppression is None:
        failure = ET.SubElement(case, "failure", type=f.severity.label, message=_clean(f.message))
        failure.text = _details(f)
    else:
        why = f.suppression.justification or "no justification given"
        ET.SubElement(case, "skipped", message=_clean(f"suppressed ({f.suppression.kind}): {why}"))


def render(result: RunResult) -> str:
    findings = ordered(result.findings)
    failures = len(result.active)
    passing = 0 if failures else 1
    suite = ET.Element("testsuite", {
        "name": TOOL_NAME,
        "tests": str(len(findings) + passing),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(len(findings) - failures),
    })
    for f in findings:
        _testcase(suite, f)
    if passing:
        ET.SubElement(suite, "testcase", classname=TOOL_NAME, name="no findings")
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
