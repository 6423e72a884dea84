"""Views of the audit model that both renderers (HTML, Markdown) share."""

from __future__ import annotations

import os

from knightwatch.output.inventory import format_age
from knightwatch.output.report.common import plural
from knightwatch.rules import ALL_RULES, BY_ID

SEVERITY_ORDER = ("critical", "high", "medium", "low")
KIND_WORDS = {r.id: r.legacy for r in ALL_RULES if r.legacy}


def top_risks(model: dict) -> list[dict]:
    by_fp = {f["fingerprint"]: f for f in model["findings"]}
    return [by_fp[fp] for fp in model["top_risks"] if fp in by_fp]


def why(f: dict) -> str:
    """Why a finding ranks where it does among the top risks."""
    kind = KIND_WORDS.get(f["rule"])
    if kind and f["reaches_sink"]:
        return f"{kind} that can reach a money-moving call"
    if f["rule"] in BY_ID and BY_ID[f["rule"]].about_unguarded_sink:
        return "money-moving call with no circuit breaker before it"
    return f"{kind or f['name']}" + (" (reaches a money-moving call)" if f["reaches_sink"] else "")


def verdict(model: dict) -> str:
    s = model["summary"]
    scope = f"{plural(model['files'], 'file')}"
    if model["hosts"]:
        scope += f" with production coverage from {plural(len(model['hosts']), 'host')}"
    if not s["findings"]:
        return f"No findings in {scope}."
    spread = ", ".join(f"{n} {label}" for label, n in s["by_severity"].items() if n)
    return f"{plural(s['findings'], 'finding')} ({spread}) in {scope}."


def host_labels(hosts: list[str]) -> tuple[str, list[str]]:
    """(common prefix, short names): `nyc-smars-01..08` -> (`nyc-smars-`, [`01`, ..., `08`])."""
    if len(hosts) < 2:
        return "", list(hosts)
    prefix = os.path.commonprefix(hosts)
    prefix = prefix[: max(prefix.rfind("-"), prefix.rfind("."), prefix.rfind("_")) + 1]
    if not prefix or any(h == prefix for h in hosts):
        return "", list(hosts)
    return prefix, [h[len(prefix):] for h in hosts]


def flag_detail(item: dict) -> tuple[str, str]:
    """(flag key, `kind, age old`) of the flag guarding a dormant function or region; empty when none."""
    if not item.get("flag"):
        return "", ""
    age = item.get("flag_age_days")
    bits = [b for b in (item.get("flag_kind"), f"{format_age(age)} old" if age is not None else "") if b]
    return item["flag"], ", ".join(bits)


def awaiting_text(fn: dict) -> str:
    """`not yet observed: month-end, next 2026-11-30` for a function waiting on a calendar event, or empty."""
    a = fn.get("awaiting")
    if not a:
        return ""
    return f"not yet observed: {', '.join(a['events'])}" + (f", next {a['next']}" if a["next"] else "")


def calendar_rows(cal: dict) -> list[tuple[str, str, str, str]]:
    """(event, when it falls, what the windows saw, code waiting on it) per configured event."""
    rows = []
    for ev in cal["events"]:
        if ev["occurred"]:
            seen = f"fell on {', '.join(ev['occurred'][:3])}{' …' if len(ev['occurred']) > 3 else ''}"
        else:
            seen = "not in any window" + (f"; next {ev['next']}" if ev["next"] else "; no listed date after it")
        code = ", ".join(ev["code"]) if ev["code"] else "—"
        if ev["functions"] > len(ev["code"]):
            code += f" (+{ev['functions'] - len(ev['code'])} only they reach)"
        rows.append((ev["name"], ev["described"], seen, code))
    return rows


def window_text(cal: dict) -> str:
    """`Coverage windows: host-1 2026-11-02 to 2026-11-16 (file date); ...`."""
    spans: dict[tuple, list[str]] = {}
    for w in cal["windows"]:
        spans.setdefault((w["start"], w["end"], w["how"]), []).append(w["host"])
    parts = [f"{', '.join(hosts)}: {start} to {end} ({how})" for (start, end, how), hosts in spans.items()]
    parts += [f"{h}: unknown" for h in cal["unwindowed"]]
    return "Coverage windows: " + "; ".join(parts) + "."


def flag_age(item: dict) -> str:
    """`flag-key (release, 3y 2m old)`, or empty."""
    key, detail = flag_detail(item)
    return f"{key} ({detail})" if detail else key


def short(qname: str, module: str = "") -> str:
    """A name without its module (`Class.method`), or its last two parts when no module is given."""
    if module and qname.startswith(module + "."):
        return qname[len(module) + 1:]
    return ".".join(qname.split(".")[-2:])


def route_text(route: list[str]) -> str:
    return " → ".join(short(q) for q in route)


def trend_sentence(trend: dict) -> str:
    return (f"Since the audit of {trend['previous_generated']}: {plural(len(trend['appeared']), 'new finding')}, "
            f"{len(trend['fixed'])} fixed.")


def change_text(count: dict) -> str:
    """`▲ +2`, `▼ -1` or `no change` for a trend count."""
    arrow = {"up": "▲", "down": "▼"}.get(count["direction"])
    return f"{arrow} {count['delta']:+d}" if arrow else "no change"
