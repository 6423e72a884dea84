"""The `knightwatch` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from knightwatch import __version__
from knightwatch.errors import KnightwatchError
from knightwatch.finding import Severity

FORMAT_CHOICES = ["text", "json", "sarif", "gitlab", "github", "junit", "markdown"]


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
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="text", show_default=True)
@click.option("--output", "-o", default="-", help="Write the report to this file (atomically).")
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes (comma-separated).")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low"]), default=None,
              help="Exit 1 when a finding at or above this severity remains [default: low].")
@click.option("--no-cache", is_flag=True, help="Do not read or write the summary cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory [default: PROJECT/.knightwatch_cache].")
@click.option("--category", help="SARIF automationDetails category (one per analysis in code scanning).")
@click.option("--strip-suppressed", is_flag=True, help="Leave suppressed findings out of the report altogether.")
@click.option("--no-progress", is_flag=True, help="Do not show a progress bar.")
def check(project_dir: Path, coverage, fmt, output, select, ignore, fail_on, no_cache, cache_dir, category,
          strip_suppressed, no_progress) -> None:
    """Analyse PROJECT_DIR (default: .) using its [tool.knightwatch] configuration."""
    from knightwatch.cache import Cache, cache_dir as resolve_cache
    from knightwatch.config import load_config
    from knightwatch.engine import check as run_check
    from knightwatch.output import write_atomic
    from knightwatch.report import render

    try:
        config = load_config(project_dir)
        cache = Cache(resolve_cache(config.root, cache_dir, no_cache))
        with _progress(enabled=not no_progress and fmt == "text" and output == "-") as progress:
            result, analysis = run_check(config, coverage=list(coverage) or None, select=_codes(select),
                                         ignore=_codes(ignore), cache=cache, progress=progress)
        result.category = category
        write_atomic(output, render(fmt, result, strip_suppressed=strip_suppressed))
    except KnightwatchError as exc:
        _fail(str(exc))
    threshold = Severity.parse(fail_on or config.fail_on)
    fatal = [p for p in (analysis.coverage.problems if analysis.coverage else []) if p.fatal]
    for p in fatal:
        click.echo(f"knightwatch: error: {p.message}", err=True)
    if fatal:
        sys.exit(2)
    sys.exit(1 if any(f.severity >= threshold for f in result.active) else 0)


class _progress:
    """A rich progress bar for parsing, shown only on a terminal and only for larger trees."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import Progress

        self.bar = Progress(transient=True, console=None)
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
