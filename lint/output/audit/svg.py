"""Inline SVG drawn from the audit model: a layered flag/call graph and horizontal bar charts.

The layout is our own (no graphviz): layers by longest path left to right, back edges set aside,
a barycentre sweep to untangle each layer. Colours come from CSS classes in the page.
"""

from __future__ import annotations

from html import escape

import networkx as nx

CHAR_W = 7.5  # px per character of the 12px monospace node labels
LABEL_W = 6.8  # px per character of the 11px edge labels
NODE_H = 40
ROW_GAP = 16
WAYPOINT_H = 10  # room a long edge takes in a layer it crosses
COL_GAP = 84
PAD = 14


def _text(s: str) -> str:
    return escape(str(s), quote=True)


def _layers(nodes: list[dict], edges: list[dict]) -> dict[str, int]:
    """Longest-path layering of the graph minus its back edges; flags sit just left of their readers."""
    ids = [n["id"] for n in nodes]
    succ: dict[str, list[str]] = {i: [] for i in ids}
    for e in edges:
        succ[e["source"]].append(e["target"])
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}
    for root in ids:  # iterative DFS: 1 = on the stack, 2 = done
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
    dag = nx.DiGraph()
    dag.add_nodes_from(ids)
    dag.add_edges_from((e["source"], e["target"]) for e in edges if (e["source"], e["target"]) not in back)
    layer: dict[str, int] = {}
    for n in nx.topological_sort(dag):
        layer[n] = max((layer[p] + 1 for p in dag.predecessors(n)), default=0)
    for n in nodes:
        if n["kind"] == "flag" and succ[n["id"]]:
            layer[n["id"]] = max(0, min(layer[t] for t in succ[n["id"]]) - 1)
    return layer


def _order(columns: list[list[str]], links: list[tuple[str, str]]) -> list[list[str]]:
    """Reorder each layer by the mean position of its neighbours, sweeping right then left, twice."""
    preds: dict[str, list[str]] = {}
    succs: dict[str, list[str]] = {}
    for a, b in links:
        preds.setdefault(b, []).append(a)
        succs.setdefault(a, []).append(b)
    for _ in range(2):
        for ks, near in ((range(1, len(columns)), preds), (range(len(columns) - 2, -1, -1), succs)):
            for k in ks:
                other = columns[k - 1] if near is preds else columns[k + 1]
                pos = {n: j for j, n in enumerate(other)}
                start = {n: j for j, n in enumerate(columns[k])}

                def centre(n: str) -> float:
                    found = [pos[p] for p in near.get(n, ()) if p in pos]
                    return sum(found) / len(found) if found else start[n]

                columns[k].sort(key=lambda n: (centre(n), start[n]))
    return columns


def _sub(node: dict, total_hosts: int) -> str:
    kind = {"entry": "entry point", "sink": "sink", "breaker": "breaker", "flag": "flag"}.get(node["kind"], "")
    hosts = node["hosts"]
    ran = "" if hosts is None else "never ran" if hosts == 0 else f"ran on {hosts}/{total_hosts} hosts"
    return " · ".join(p for p in (kind, ran) if p)


def _curve(points: list[tuple[float, float]]) -> str:
    """A path through POINTS: S-curves across the gaps (even steps), straight runs through columns (odd)."""
    (x, y), rest = points[0], points[1:]
    d = [f"M{x:.1f},{y:.1f}"]
    for i, (nx_, ny) in enumerate(rest):
        if i % 2 == 0:
            bend = (nx_ - x) / 2
            d.append(f"C{x + bend:.1f},{y:.1f} {nx_ - bend:.1f},{ny:.1f} {nx_:.1f},{ny:.1f}")
        else:
            d.append(f"L{nx_:.1f},{ny:.1f}")
        x, y = nx_, ny
    return " ".join(d)


def graph_svg(graph: dict, gid: str, total_hosts: int) -> str:
    """The graph of one finding as an inline <svg>; GID keeps marker ids unique in the page.

    An edge spanning several layers gets a waypoint in each layer it crosses, ordered like a node,
    so it runs between the boxes instead of through them.
    """
    nodes, edges = graph["nodes"], graph["edges"]
    if not nodes:
        return ""
    layer = _layers(nodes, edges)
    columns: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for n in nodes:
        columns[layer[n["id"]]].append(n["id"])
    links, waypoints = [], {}  # waypoints: edge index -> waypoint ids, one per crossed layer
    for i, e in enumerate(edges):
        a, b = e["source"], e["target"]
        chain = [f"~{i}.{k}" for k in range(layer[a] + 1, layer[b])]
        for k, w in zip(range(layer[a] + 1, layer[b]), chain):
            columns[k].append(w)
        waypoints[i] = chain
        hops = [a, *chain, b]
        links += list(zip(hops, hops[1:]))
    columns = _order(columns, links)
    by_id = {n["id"]: n for n in nodes}
    width = {i: max(len(by_id[i]["label"]), len(_sub(by_id[i], total_hosts)) * 0.82) * CHAR_W + 28 for i in by_id}
    col_w = [max((width[i] for i in col if i in by_id), default=0) for col in columns]
    gaps = [COL_GAP] * len(columns)  # gaps[k]: space after column k, wide enough for the labels drawn in it
    for e in edges:
        if e["label"] and layer[e["target"]] > layer[e["source"]]:
            k = layer[e["source"]]
            gaps[k] = max(gaps[k], len(e["label"]) * LABEL_W + 24)

    def tall(i: str) -> float:
        return NODE_H if i in by_id else WAYPOINT_H

    heights = [sum(tall(i) for i in col) + (len(col) - 1) * ROW_GAP for col in columns]
    inner_h = max(heights)
    has_back = any(layer[e["target"]] <= layer[e["source"]] for e in edges)
    total_w = PAD * 2 + sum(col_w) + sum(gaps[:-1])
    total_h = PAD * 2 + inner_h + (36 if has_back else 0)
    box: dict[str, tuple[float, float, float]] = {}  # id -> left, top, width
    lefts = []
    x = PAD
    for k, col in enumerate(columns):
        lefts.append(x)
        y = PAD + (inner_h - heights[k]) / 2
        for i in col:
            box[i] = (x + (col_w[k] - width[i]) / 2, y, width[i]) if i in by_id else (x, y, col_w[k])
            y += tall(i) + ROW_GAP
        x += col_w[k] + gaps[k]
    out = [f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:.0f} {total_h:.0f}" '
           f'width="{total_w:.0f}" height="{total_h:.0f}" role="img" aria-label="{_text(graph["title"])}">',
           "<defs>"]
    for name in ("call", "unguarded", "reads"):
        out.append(f'<marker id="{gid}-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
                   f'class="arrow-{name}"/></marker>')
    out.append("</defs>")
    labels = []
    for i, e in enumerate(edges):
        sx, sy, sw = box[e["source"]]
        tx, ty, tw = box[e["target"]]
        kind = "unguarded" if e["unguarded"] else "reads" if e["kind"] == "reads" else "call"
        cls = f"edge edge-{kind}" + (" edge-may" if e["kind"] == "may" else "")
        if layer[e["target"]] > layer[e["source"]]:
            points = [(sx + sw, sy + NODE_H / 2)]
            for w in waypoints[i]:
                wx, wy, ww = box[w]
                points += [(wx, wy + WAYPOINT_H / 2), (wx + ww, wy + WAYPOINT_H / 2)]
            points.append((tx - 2, ty + NODE_H / 2))
            d = _curve(points)
            (x1, y1), (x2, y2) = points[0], points[1]
            mid = (x1 + x2) / 2, (y1 + y2) / 2
        else:  # a back edge: loop under the drawing
            low = PAD + inner_h + 30
            x1, x2 = sx + sw / 2, tx + tw / 2
            d = f"M{x1:.1f},{sy + NODE_H:.1f} C{x1:.1f},{low:.1f} {x2:.1f},{low:.1f} {x2:.1f},{ty + NODE_H + 2:.1f}"
            mid = ((x1 + x2) / 2, low - 6)
        out.append(f'<path class="{cls}" d="{d}" marker-end="url(#{gid}-{kind})"/>')
        if e["label"]:
            labels.append(f'<text class="edge-label" x="{mid[0]:.1f}" y="{mid[1] - 6:.1f}" '
                          f'text-anchor="middle">{_text(e["label"])}</text>')
    for n in nodes:
        x, y, w = box[n["id"]]
        dormant = " node-dormant" if n["hosts"] == 0 else ""
        minority = " node-minority" if n["hosts"] and total_hosts and n["hosts"] * 2 < total_hosts else ""
        out.append(f'<g class="node node-{n["kind"]}{dormant}{minority}"><title>{_text(n["title"])}</title>'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{NODE_H}" '
                   f'rx="{NODE_H / 2 if n["kind"] == "flag" else 6}"/>'
                   f'<text class="node-label" x="{x + w / 2:.1f}" y="{y + 17:.1f}" text-anchor="middle">'
                   f'{_text(n["label"])}</text>'
                   f'<text class="node-sub" x="{x + w / 2:.1f}" y="{y + 31:.1f}" text-anchor="middle">'
                   f'{_text(_sub(n, total_hosts))}</text></g>')
    return "\n".join(out + labels + ["</svg>"])


def _chart_open(title: str, width: int, height: float) -> list[str]:
    """A chart's opening `<svg>` tag and its title."""
    return [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{_text(title)}">',
            f'<text class="chart-title" x="0" y="14">{_text(title)}</text>']


def _label_column(labels: list[str], width: int) -> tuple[float, float]:
    """(width of the label column, width left for the bars) of a horizontal chart WIDTH wide."""
    label_w = max(len(label) for label in labels) * 6.6 + 12
    return label_w, width - label_w - 40


def bar_chart(items: list[tuple[str, int, str]], title: str, width: int = 380) -> str:
    """Horizontal bars: (label, value, css class) per row, the value printed after each bar."""
    if not items:
        return ""
    bar_h, gap, top = 16, 8, 26
    label_w, area = _label_column([label for label, _, _ in items], width)
    peak = max(v for _, v, _ in items) or 1
    height = top + len(items) * (bar_h + gap)
    out = _chart_open(title, width, height)
    for k, (label, value, cls) in enumerate(items):
        y = top + k * (bar_h + gap)
        w = max(value / peak * area, 1 if value else 0)
        out.append(f'<text class="chart-label" x="{label_w - 8:.0f}" y="{y + 12}" text-anchor="end">'
                   f'{_text(label)}</text>'
                   f'<rect class="bar {cls}" x="{label_w:.0f}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="2"/>'
                   f'<text class="chart-value" x="{label_w + w + 6:.1f}" y="{y + 12}">{value}</text>')
    return "\n".join(out + ["</svg>"])


def trend_chart(items: list[tuple[str, int, int]], title: str, width: int = 460) -> str:
    """Paired horizontal bars, previous (light) over current (dark), per (label, previous, current)."""
    if not items:
        return ""
    pair_h, gap, top = 22, 10, 40
    label_w, area = _label_column([label for label, _, _ in items], width)
    peak = max(max(p, c) for _, p, c in items) or 1
    height = top + len(items) * (pair_h + gap)
    out = _chart_open(title, width, height) + [
        f'<rect class="bar bar-previous" x="{label_w:.0f}" y="22" width="10" height="8"/>'
        f'<text class="chart-label" x="{label_w + 14:.0f}" y="30">previous</text>'
        f'<rect class="bar bar-current" x="{label_w + 80:.0f}" y="22" width="10" height="8"/>'
        f'<text class="chart-label" x="{label_w + 94:.0f}" y="30">current</text>']
    for k, (label, prev, cur) in enumerate(items):
        y = top + k * (pair_h + gap)
        out.append(f'<text class="chart-label" x="{label_w - 8:.0f}" y="{y + 15}" text-anchor="end">'
                   f'{_text(label)}</text>')
        for j, (value, cls) in enumerate(((prev, "bar-previous"), (cur, "bar-current"))):
            w = max(value / peak * area, 1 if value else 0)
            yy = y + j * 11
            out.append(f'<rect class="bar {cls}" x="{label_w:.0f}" y="{yy}" width="{w:.1f}" height="10"/>'
                       f'<text class="chart-value chart-small" x="{label_w + w + 5:.1f}" y="{yy + 9}">{value}</text>')
    return "\n".join(out + ["</svg>"])
