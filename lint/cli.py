"""The `knightwatch` command line."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from knightwatch import __version__
from knightwatch.errors import KnightwatchError
from knightwatch.finding import Severity
from knightwatch.output.report import FORMATS


#: every command that analyses a project shows a progress bar on a terminal, unless told not to
NO_PROGRESS = click.option("--no-progress", is_flag=True, help="Do not show a progress bar.")


def _codes(values: tuple[str, ...]) -> list[str]:
    return [c for v in values for c in v.split(",") if c.strip()]


def _fail(message: str) -> None:
    click.echo(f"knightwatch: error: {message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="knightwatch")
def main() -> None:
    """Find dormant paths, dead code, recycled and stale flags, unguarded sinks and deployment drift."""


@main.command()
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--coverage", "coverage", multiple=True, help="Production coverage data file or glob (repeatable); "
              "overrides `coverage` in the config.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True)
@click.option("--output", "-o", default="-", help="Write the report to this file (atomically).")
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes (comma-separated).")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low"]), default=None,
              help="Exit 1 when a finding at or above this severity remains [default: low].")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory [default: PROJECT/.knightwatch_cache].")
@click.option("--category", help="SARIF automationDetails category (one per analysis in code scanning).")
@click.option("--strip-suppressed", is_flag=True, help="Leave suppressed findings out of the report altogether.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Baseline file written by `knightwatch baseline`: findings in it are reported as suppressed "
                   "[default: `baseline` in the config].")
@click.option("--baseline-ref", metavar="GIT_REF", help="Report only findings that are new since this git commit.")
@NO_PROGRESS
@click.option("--candidate-flags", type=click.Path(dir_okay=False, path_type=Path),
              help="Flag values the release will ship with (TOML/JSON map, or an OpenFeature manifest): "
                   "KW501 reports what they wake that production never ran.")
@click.option("--test-coverage", "test_coverage", multiple=True, metavar="FILE",
              help="Coverage data file of the project's test suite (repeatable): KW502 checks that tests run "
                   "each kill switch's on-branch.")
def check(project_dir: Path, coverage, fmt, output, select, ignore, fail_on, no_cache, cache_dir, category,
          strip_suppressed, baseline, baseline_ref, no_progress, candidate_flags, test_coverage) -> None:
    """Analyse PROJECT_DIR (default: .) using its [tool.knightwatch] configuration."""
    from knightwatch.output.atomic import write_atomic
    from knightwatch.output.report import render

    try:
        changes = {}
        if candidate_flags is not None:
            from knightwatch.output.candidates import load_candidates

            changes["candidate_flags"] = load_candidates(candidate_flags)
        if test_coverage:
            from knightwatch.graphs.killswitch import test_data

            changes["test_coverage"] = test_data(test_coverage)
        config, result, analysis = _obtain(project_dir, coverage, no_cache, cache_dir, select=_codes(select),
                                           ignore=_codes(ignore), baseline=baseline, baseline_ref=baseline_ref,
                                           config_changes=changes,
                                           show_progress=not no_progress and fmt == "text" and output == "-")
        result.category = category
        write_atomic(output, render(fmt, result, strip_suppressed=strip_suppressed))
    except KnightwatchError as exc:
        _fail(str(exc))
    threshold = Severity.parse(fail_on or config.fail_on)
    _exit_on_fatal(analysis)
    sys.exit(1 if any(f.severity >= threshold for f in result.active) else 0)


def run() -> None:
    """The `knightwatch` command: `main`, then an exit that skips freeing the analysis object by object
    (as mypy does): for a large tree that takes longer than writing the report. An unexpected
    exception is the last resort's: one line naming a crash report that holds the traceback, exit 2."""
    try:
        main()
    except SystemExit as exc:  # its traceback still holds the analysis: exit before that is freed
        _exit_now(exc.code)
    except Exception as exc:  # a bug of ours: never a traceback on the user's terminal
        click.echo(f"knightwatch: internal error: {type(exc).__name__}: {_first_line(exc)} "
                   f"(details in {_crash_report(exc)}; please report it)", err=True)
        _exit_now(2)
    _exit_now(0)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]


def _crash_report(exc: Exception) -> str:
    """Write the traceback, version and command line to a new file in the temp directory; its path."""
    import platform
    import tempfile
    import traceback

    text = (f"knightwatch {__version__} on Python {platform.python_version()} ({platform.platform()})\n"
            f"command: {' '.join(sys.argv)}\n\n" + "".join(traceback.format_exception(exc)))
    try:
        fd, path = tempfile.mkstemp(prefix="knightwatch-crash-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError:
        return "nowhere: the temp directory is not writable"
    return path


def _exit_now(code: int | str | None) -> None:
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):  # None or closed: there was nowhere to write (as at a normal exit)
        if stream is not None and not stream.closed:
            try:
                stream.flush()
            except OSError:  # a closed pipe: Python's own exit code when it cannot flush them
                code = code or 120
    os._exit(code or 0)


def _exit_on_fatal(analysis) -> None:
    """Exit 2 when the production coverage cannot be trusted, naming each problem. (A result replayed
    from the cache comes without an Analysis: runs with fatal problems are never stored.)"""
    fatal = [p for p in (analysis.coverage.problems if analysis and analysis.coverage else []) if p.fatal]
    for p in fatal:
        click.echo(f"knightwatch: error: {p.message}", err=True)
    if fatal:
        sys.exit(2)


class _progress:
    """A rich progress bar for parsing, shown only on a terminal and only for larger trees."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(transient=True, console=Console(stderr=True))  # stdout holds the report
        self.bar.__enter__()
        self.task = self.bar.add_task("parsing", total=None)
        return self.update

    def update(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Print the documentation of a rule (e.g. KW301 or breaker-out-of-reach)."""
    from knightwatch.rules import ALL_RULES

    rule = next((r for r in ALL_RULES if rule_id.upper() == r.id or rule_id.lower() == r.name), None)
    if rule is None:
        _fail(f"unknown rule {rule_id!r} (known: {', '.join(r.id for r in ALL_RULES)})")
    from rich.console import Console
    from rich.markdown import Markdown

    docs = rule.docs()
    console = Console()
    if console.is_terminal:
        console.print(Markdown(f"# {rule.id} {rule.name}\n\n" + docs.markdown))
    else:
        click.echo(f"{rule.id} {rule.name} (default severity: {rule.severity.label})\n\n{docs.markdown}", nl=False)


@main.command("rules")
def list_rules() -> None:
    """List every rule with its id, name and default severity."""
    from knightwatch.rules import ALL_RULES

    for r in ALL_RULES:
        click.echo(f"{r.id}  {r.name:<22} {r.severity.label:<9} {r.docs().summary}")


def _obtain(project_dir: Path, coverage, no_cache: bool, cache_dir, *, need_analysis: bool = False,
            baseline: Path | None = None, use_baseline: bool = True, config_changes: dict | None = None,
            show_progress: bool = False, **options):
    """The one way every command gets its results: (Config, RunResult, Analysis) for PROJECT_DIR with
    its configuration (with CONFIG_CHANGES made by options) and, if it USEs one, its configured
    BASELINE (the option overrides it). The Analysis is None when the result was replayed from the
    cache, never when the command NEEDs the ANALYSIS: then it is recomputed from the per-file
    summaries. Coverage problems that did not stop the run are warned of on stderr, one line each."""
    from knightwatch.config import load_config
    from knightwatch.engine import check as run_check

    config = dataclasses.replace(load_config(project_dir), **(config_changes or {}))
    with _progress(enabled=show_progress) as progress:
        result, analysis = run_check(config, coverage=list(coverage) or None, cache=_cache(config, no_cache, cache_dir),
                                     need_analysis=need_analysis, progress=progress,
                                     baseline=(baseline or config.baseline) if use_baseline else None, **options)
    for warning in result.warnings:
        click.echo(f"knightwatch: warning: {warning}", err=True)
    return config, result, analysis


def _cache(config, no_cache: bool, cache_dir):
    from knightwatch.source.cache import Cache, cache_dir as resolve_cache

    return Cache(resolve_cache(config.root, cache_dir, no_cache))


@main.command("fix")
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--flag", "flag_values", multiple=True, metavar="KEY=on|off",
              help="Retire flag KEY at this value (repeatable).")
@click.option("--stale", is_flag=True, help="Retire every flag production coverage shows at one value.")
@click.option("--dead", is_flag=True, help="Delete code unreachable with confidence 100% that no host ran.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the change as a unified diff; write nothing.")
@click.option("--allow-dirty", is_flag=True, help="Write even if the git work tree has uncommitted changes.")
@click.option("--select", "paths", multiple=True, metavar="PATH",
              help="Edit only files under these paths, relative to PROJECT_DIR (repeatable).")
@click.option("--coverage", "coverage", multiple=True, help="Production coverage data file or glob (repeatable).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory [default: PROJECT/.knightwatch_cache].")
@NO_PROGRESS
def fix_command(project_dir: Path, flag_values, stale, dead, show_diff, allow_dirty, paths, coverage, no_cache,
                cache_dir, no_progress) -> None:
    """Retire flags and delete dead code in PROJECT_DIR, as one change checked by `knightwatch check`."""
    from knightwatch.fix.apply import dirty_files, unified_diff, untracked, write_all
    from knightwatch.fix.plan import plan_fix
    from knightwatch.fix.targets import gather, parse_values
    from knightwatch.output.atomic import write_atomic
    from knightwatch.output.report.common import plural

    try:
        values = parse_values(flag_values)
        if not (values or stale or dead):
            raise KnightwatchError("fix: nothing to do: give --flag KEY=on|off, --stale or --dead")
        dirty = dirty_files(project_dir)
        if dirty and not show_diff and not allow_dirty:
            raise KnightwatchError(f"fix: the git work tree has uncommitted changes ({dirty[0]}"
                                   f"{f' and {len(dirty) - 1} more' if len(dirty) > 1 else ''}); "
                                   "commit or stash them, or pass --allow-dirty")
        _, result, analysis = _obtain(project_dir, coverage, no_cache, cache_dir, need_analysis=True,
                                    show_progress=not no_progress)
        _exit_on_fatal(analysis)
        values, defs, notes = gather(analysis, result.findings, values, stale=stale, dead=dead)
        plan = plan_fix(analysis, values=values, dead=defs, select=list(paths))
        notes += plan.notes
        if show_diff:
            write_atomic("-", unified_diff(plan.changes, notes))
            return
        for note in notes:
            click.echo(f"knightwatch: fix: {note}", err=True)
        new = untracked(analysis.config.root, [p for p, (before, _) in plan.changes.items() if before is not None])
        if new and not allow_dirty and dirty is not None:
            raise KnightwatchError(f"fix: {new[0]} is not tracked by git: the edit could not be undone; "
                                   "commit it first, or pass --allow-dirty")
        if plan.changes:
            write_all(analysis.config.root, plan.changes, plan.encodings)
        click.echo(f"knightwatch: fix: {plural(len(plan.changes), 'file')} changed", err=True)
    except KnightwatchError as exc:
        _fail(str(exc))


@main.command("audit")
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--output", "-o", help="Report file, `-` for stdout [default: report.html, or report.md "
              "with --format markdown].")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]), default="html", show_default=True)
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path),
              help="The JSON of an earlier audit: adds the trend (what appeared, what was fixed, counts).")
@click.option("--json", "json_out", help="Where to write the audit JSON [default: the report's name with .json; "
              "none when the report goes to stdout].")
@click.option("--coverage", "coverage", multiple=True, help="Production coverage data file or glob (repeatable).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory [default: PROJECT/.knightwatch_cache].")
@NO_PROGRESS
def audit_command(project_dir: Path, output, fmt, previous, json_out, coverage, no_cache, cache_dir,
                  no_progress) -> None:
    """Write the tech-debt audit of PROJECT_DIR: a self-contained HTML page (or Markdown) and its JSON."""
    from knightwatch.output.audit import build, dumps, load_previous, render
    from knightwatch.output.atomic import write_atomic

    output = output or ("report.md" if fmt == "markdown" else "report.html")
    json_out = json_out or (None if output == "-" else str(Path(output).with_suffix(".json")))
    try:
        if json_out and Path(json_out).resolve() == Path(output).resolve():
            raise KnightwatchError(f"--json and --output both name {output}; give the JSON another name")
        earlier = load_previous(previous) if previous else None
        config, result, analysis = _obtain(project_dir, coverage, no_cache, cache_dir, need_analysis=True,
                                         show_progress=not no_progress)
        from knightwatch.output.audit.provenance import seal

        model = seal(build(result, analysis, previous=earlier), config, list(coverage) or None)
        write_atomic(output, render(fmt, model))
        if json_out:
            write_atomic(json_out, dumps(model))
    except KnightwatchError as exc:
        _fail(str(exc))
    _exit_on_fatal(analysis)


@main.command("flags")
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "openfeature"]), default="table",
              show_default=True, help="openfeature: an OpenFeature CLI flag manifest of every key.")
@click.option("--coverage", "coverage", multiple=True, help="Production coverage data file or glob (repeatable).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory [default: PROJECT/.knightwatch_cache].")
@NO_PROGRESS
def flags_command(project_dir: Path, fmt, coverage, no_cache, cache_dir, no_progress) -> None:
    """List every flag of PROJECT_DIR: reads and aliases, owner, kind, age, expiry, production state, status."""
    from knightwatch.output.inventory import build_inventory, to_csv, to_json, to_table
    from knightwatch.output.atomic import write_atomic

    try:
        _, result, analysis = _obtain(project_dir, coverage, no_cache, cache_dir, need_analysis=True,
                                    show_progress=not no_progress)
        entries = build_inventory(analysis, result.findings)
        if fmt == "openfeature":
            from knightwatch.graphs.openfeature import to_manifest

            write_atomic("-", to_manifest(analysis))
        elif fmt == "table":
            from rich.console import Console

            console = Console()
            (console if console.is_terminal else Console(width=200)).print(to_table(entries))
        else:
            write_atomic("-", to_json(entries) if fmt == "json" else to_csv(entries))
    except KnightwatchError as exc:
        _fail(str(exc))
    _exit_on_fatal(analysis)


@main.command("baseline")
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write [default: `baseline` in the config, else PROJECT_DIR/.knightwatch-baseline.json].")
@click.option("--coverage", "coverage", multiple=True, help="Production coverage data file or glob (repeatable).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory [default: PROJECT/.knightwatch_cache].")
@NO_PROGRESS
def baseline_command(project_dir: Path, output: Path | None, coverage, no_cache, cache_dir, no_progress) -> None:
    """Record the current findings so that `check --baseline` reports only new ones."""
    from knightwatch.decide.baseline import DEFAULT_NAME, render_baseline
    from knightwatch.output.atomic import write_atomic
    from knightwatch.output.report.common import plural

    try:
        config, result, analysis = _obtain(project_dir, coverage, no_cache, cache_dir, use_baseline=False,
                                         show_progress=not no_progress)
        _exit_on_fatal(analysis)
        target = output or config.baseline or config.root / DEFAULT_NAME
        write_atomic(target, render_baseline(result.active))
    except KnightwatchError as exc:
        _fail(str(exc))
    click.echo(f"knightwatch: {plural(len(result.active), 'finding')} written to {target}", err=True)


@main.command("graph")
@click.argument("project_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["pycg", "dot", "graphml", "json"]), default="pycg",
              show_default=True, help="pycg: caller -> sorted callees; dot, graphml, json: the whole graph with flags.")
@click.option("--output", "-o", default="-", help="Write the graph to this file (atomically) [default: stdout].")
@click.option("--focus", "focus_on", metavar="FLAG_OR_FUNCTION",
              help="Keep only the neighbourhood of this function, module or flag key.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory [default: PROJECT/.knightwatch_cache].")
@NO_PROGRESS
def graph_command(project_dir: Path, fmt: str, output: str, focus_on: str | None, no_cache, cache_dir,
                  no_progress) -> None:
    """Export the call graph of PROJECT_DIR (names relative to it) as `check` builds it: with its
    [tool.knightwatch] configuration (sources, excludes, flag sources) if it has one."""
    from knightwatch.config import load_config
    from knightwatch.engine import analysis_of
    from knightwatch.output.graph_export import render
    from knightwatch.output.atomic import write_atomic

    try:
        config = load_config(project_dir.resolve())
        with _progress(enabled=not no_progress) as progress:
            analysis = analysis_of(config, cache=_cache(config, no_cache, cache_dir), progress=progress)
        write_atomic(output, render(analysis, fmt, focus_on))
    except KnightwatchError as exc:
        _fail(str(exc))


@main.command("flip")
@click.argument("assignment", metavar="KEY=on|off")
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--hosts", metavar="GLOB", help="Only the hosts whose name matches this glob.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@click.option("--output", "-o", default="-", help="Write the report to this file (atomically).")
@click.option("--coverage", "coverage", multiple=True, help="Production coverage data file or glob (repeatable).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory [default: PROJECT/.knightwatch_cache].")
@NO_PROGRESS
def flip_command(assignment: str, project_dir: Path, hosts, fmt, output, coverage, no_cache, cache_dir,
                 no_progress) -> None:
    """The blast radius of setting flag KEY on or off: per host, what it wakes (riskiest first) and stops."""
    from knightwatch.output.blast import blast, known_keys, parse_assignment
    from knightwatch.output.flip_report import render_flip
    from knightwatch.output.atomic import write_atomic

    try:
        key, value = parse_assignment(assignment)
    except ValueError as exc:
        _fail(str(exc))
    try:
        _, _, analysis = _obtain(project_dir, coverage, no_cache, cache_dir, need_analysis=True,
                               show_progress=not no_progress)
        _exit_on_fatal(analysis)
        if not analysis.hosts:
            raise KnightwatchError("flip needs production coverage (set `coverage` in [tool.knightwatch] or pass --coverage)")
        if key not in known_keys(analysis):
            raise KnightwatchError(f"no code reads flag {key!r}")
        result = blast(analysis, key, value, hosts)
        if not result.hosts:
            raise KnightwatchError(f"--hosts {hosts!r} matches none of {', '.join(analysis.hosts)}")
        write_atomic(output, render_flip(fmt, result, analysis))
    except KnightwatchError as exc:
        _fail(str(exc))
