"""The stylesheet and script inlined into the HTML audit (no external resources)."""

CSS = """
:root {
  --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --head: #f5f7fa; --accent: #243b53;
  --critical: #9b1c1c; --high: #c2410c; --medium: #a16207; --low: #52606d;
  --on: #2f855a; --off: #cbd2d9; --ok: #276749; --bad: #9b1c1c;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff; font: 14px/1.5 system-ui, -apple-system, "Segoe UI",
       Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 28px 36px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 0 0 4px; color: var(--accent); }
h3 { font-size: 15px; margin: 20px 0 8px; }
p.lead { margin: 0 0 14px; color: var(--muted); max-width: 880px; }
.meta { color: var(--muted); margin: 0 0 10px; }
.verdict { font-size: 16px; margin: 8px 0 0; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
              font-size: 12.5px; }
nav.toc { margin: 18px 0 8px; padding: 8px 0; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 18px; white-space: nowrap; }
nav.toc a:hover { text-decoration: underline; }
section { margin: 34px 0 0; padding-top: 6px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 18px 0; }
.card { min-width: 128px; padding: 10px 16px; border: 1px solid var(--line); border-top: 4px solid var(--low);
        border-radius: 6px; background: #fff; }
.card .n { font-size: 28px; font-weight: 650; line-height: 1.1; }
.card .k { color: var(--muted); font-size: 12.5px; text-transform: uppercase; letter-spacing: .04em; }
.card.critical { border-top-color: var(--critical); } .card.critical .n { color: var(--critical); }
.card.high { border-top-color: var(--high); } .card.high .n { color: var(--high); }
.card.medium { border-top-color: var(--medium); } .card.medium .n { color: var(--medium); }
.card.total { border-top-color: var(--accent); }
.card.indicator { border-top: 1px solid var(--line); padding: 6px 14px; min-width: 150px; }
.card.indicator .n { font-size: 20px; }
.card.indicator.alert { border-left: 4px solid var(--high); }
.charts { display: flex; flex-wrap: wrap; gap: 28px 48px; margin: 10px 0 18px; align-items: flex-start; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { background: var(--head); font-weight: 600; font-size: 12.5px; color: #3e4c59; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
table.grouped tbody tr td { background: #fff; }
table.compact { width: auto; min-width: 560px; }
table.brief { table-layout: fixed; }
table.brief th:nth-child(1) { width: 100px; } table.brief th:nth-child(2) { width: 80px; }
table.brief th:nth-child(3) { width: 280px; }
table.grouped tr.group td { border-top: 2px solid #cbd2d9; }
tr.unguarded td { background: #fdf2f2 !important; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: 9px; }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; font-size: 9px; }
.sev { display: inline-block; min-width: 64px; font-size: 12px; font-weight: 600; text-transform: uppercase;
       letter-spacing: .03em; }
.sev-critical { color: var(--critical); } .sev-high { color: var(--high); }
.sev-medium { color: var(--medium); } .sev-low { color: var(--low); }
.badge { display: inline-block; padding: 1px 8px; margin: 0 4px 2px 0; border-radius: 10px; font-size: 12px;
         font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.st-recycled { background: #fde8e8; color: #9b1c1c; border-color: #f8b4b4; }
.st-expired, .st-undeclared { background: #fdf6e3; color: #8a5a00; border-color: #f0d58c; }
.st-orphaned { background: #eef0f3; color: #3e4c59; border-color: #cbd2d9; }
.st-dormant { background: #f0ebfa; color: #553c9a; border-color: #d6c8f2; }
.st-live { background: #e6f4ea; color: #276749; border-color: #b7dfc3; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
.small { font-size: 12.5px; }
.hs { display: inline-block; width: 12px; height: 12px; margin-right: 2px; border-radius: 2px;
      border: 1px solid #9aa5b1; vertical-align: -1px; background: #fff; }
.hs.on { background: var(--on); border-color: var(--on); }
.hs.off { background: var(--off); }
.hs.mixed { background: linear-gradient(135deg, var(--on) 50%, var(--off) 50%); border-color: #7b8794; }
.legend { color: var(--muted); font-size: 12.5px; margin: 4px 0 10px; }
.legend .hs { margin-left: 10px; }
input.filter { padding: 5px 9px; border: 1px solid #cbd2d9; border-radius: 4px; width: 280px; font: inherit;
               margin: 2px 0 6px; }
table.drift td.host, table.drift th.host { text-align: center; width: 42px; padding: 6px 2px; }
table.drift td.ran { color: #3e4c59; font-size: 15px; }
table.drift tr.minority td { background: #fff8eb; }
table.drift tr.minority td.ran { color: var(--critical); font-weight: 700; }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
.route { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
figure { margin: 14px 0 26px; padding: 14px 16px; border: 1px solid var(--line); border-radius: 6px;
         overflow-x: auto; }
figcaption { margin: 0 0 10px; } figcaption .msg { color: var(--muted); display: block; font-size: 13px; }
svg { max-width: 100%; height: auto; }
svg.graph text { font-family: ui-monospace, Menlo, Consolas, "Liberation Mono", monospace; }
svg.graph .node-label { font-size: 12px; fill: #1f2933; }
svg.graph .node-sub { font-size: 10px; fill: #616e7c; font-family: system-ui, Arial, sans-serif; }
svg.graph .node rect { fill: #fff; stroke: #7b8794; stroke-width: 1.2; }
svg.graph .node-entry rect { stroke: #243b53; stroke-width: 2; fill: #f0f4f8; }
svg.graph .node-flag rect { fill: #fdf6e3; stroke: #b7791f; }
svg.graph .node-sink rect { fill: #fde8e8; stroke: #9b1c1c; stroke-width: 2; }
svg.graph .node-breaker rect { fill: #e6f4ea; stroke: #276749; stroke-width: 2; }
svg.graph .node-minority rect { stroke: #c2410c; stroke-width: 2; }
svg.graph .node-dormant rect { stroke-dasharray: 4 3; fill: #f5f7fa; }
svg.graph .edge { fill: none; stroke: #7b8794; stroke-width: 1.4; }
svg.graph .edge-may { stroke-dasharray: 5 3; }
svg.graph .edge-reads { stroke: #b7791f; stroke-dasharray: 3 3; }
svg.graph .edge-unguarded { stroke: #9b1c1c; stroke-width: 2.4; }
svg.graph .arrow-call { fill: #7b8794; } svg.graph .arrow-reads { fill: #b7791f; }
svg.graph .arrow-unguarded { fill: #9b1c1c; }
svg.graph .edge-label { font-size: 11px; fill: #8a5a00; paint-order: stroke; stroke: #fff; stroke-width: 4px; }
svg.chart text { font-family: system-ui, Arial, sans-serif; font-size: 12px; fill: #3e4c59; }
svg.chart .chart-title { font-weight: 600; font-size: 13px; fill: #1f2933; }
svg.chart .chart-small { font-size: 10.5px; }
svg.chart .bar { fill: #7b8794; }
svg.chart .bar.critical { fill: var(--critical); } svg.chart .bar.high { fill: var(--high); }
svg.chart .bar.medium { fill: var(--medium); } svg.chart .bar.low { fill: var(--low); }
svg.chart .bar.rule { fill: #486581; } svg.chart .bar.module { fill: #6b5b95; }
svg.chart .bar-previous { fill: #cbd2d9; } svg.chart .bar-current { fill: #334e68; }
svg.chart .bar.st-recycled { fill: #9b1c1c; } svg.chart .bar.st-expired, svg.chart .bar.st-undeclared { fill: #b7791f; }
svg.chart .bar.st-orphaned { fill: #9aa5b1; } svg.chart .bar.st-dormant { fill: #6b5b95; }
svg.chart .bar.st-live { fill: #2f855a; }
.up { color: var(--bad); } .down { color: var(--ok); } .same { color: var(--muted); }
details summary { cursor: pointer; color: var(--accent); font-size: 12.5px; }
details ol { margin: 4px 0 0; padding-left: 20px; font-size: 12.5px; }
ul.notes { color: var(--muted); font-size: 13px; }
footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12.5px; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc, input.filter { display: none; }
  section { break-before: auto; }
  h2, h3 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

JS = """
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim();
  }
  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a && String(y) === b) { return x - y; }
    return a.localeCompare(b);
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var order = compare(cellValue(r1, index), cellValue(r2, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  var filter = document.getElementById("flag-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var needle = filter.value.toLowerCase();
      document.querySelectorAll("#flag-table tbody tr").forEach(function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
"""
