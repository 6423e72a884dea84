"""KW202 stale-flag."""

from __future__ import annotations

from knightwatch.clock import today
from knightwatch.finding import Severity, TraceStep
from knightwatch.rule import Rule


class StaleFlag(Rule):
    """A flag is past its expiry, declared but never read, read but never declared, or read under a
    key the registry says was renamed or deprecated.

    ## What it does
    Compares the flag registry (`[tool.knightwatch.flags] registry`) with the flag reads found in
    the code (SDK calls and configured flag sources such as `self.config["dry_run"]`). It reports a
    registry flag whose `expires` date has passed (medium while code still reads it), a declared
    flag that no code reads, a flag key the code reads that the registry does not declare, a read
    of a key some flag lists in `renamed-from` (medium: the renamed configuration key), and a read
    of a flag marked `deprecated = true` (low).

    ## Why is this bad?
    A flag nobody owns any more is a flag somebody will re-purpose. Knight Capital re-used a flag
    that had not gated anything for years; the old code behind it woke up on the one server that
    missed the deploy. A renamed configuration key is the same hazard in a config file: operators
    set the new key, and the code still reading the old one keeps its old behaviour.

    ## Example
    ```toml
    [flags."smars.odd-lot-v1"]
    owner = "equities-routing"
    kind = "release"
    created = 2011-01-10
    expires = 2011-06-30   # long gone, still read in router.py
    ```

    ## Use instead
    Remove the flag and the code it gates once it is fully rolled out, then delete the registry
    entry. Declare every new flag with an owner, a kind and an expiry.
    """

    id = "KW202"
    name = "stale-flag"
    severity = Severity.LOW
    needs = frozenset({"registry"})
    tags = ("maintainability", "feature-flags")
    precision = "very-high"

    def check(self, analysis):
        registry = analysis.registry
        reads = analysis.flags.by_key()
        now = today()
        for key, spec in sorted(registry.flags.items()):
            sites = reads.get(key, [])
            sites = sites + [r for r in analysis.flags.unbranched_of(key)  # read, its value kept for later
                             if (r.path, r.line) not in {(s.path, s.line) for s in sites}]
            trace = [TraceStep(r.path, r.line, r.site.column, f"reads {key!r} via {r.via}") for r in sites]
            if spec.expires and spec.expires < now:
                yield self.finding(
                    registry.path, spec.line,
                    f"flag {key!r} expired on {spec.expires.isoformat()} "
                    + (f"and is still read in {len(sites)} place(s)" if sites else "and no code reads it"),
                    severity=Severity.MEDIUM if sites else Severity.LOW, symbol=f"flag:{key}", trace=trace,
                    flag=key, expired=spec.expires.isoformat(), reads=len(sites), owner=spec.owner)
            elif not sites:
                yield self.finding(registry.path, spec.line,
                                   f"flag {key!r} is declared (owner {spec.owner or 'unknown'}) but no code reads it",
                                   symbol=f"flag:{key}", flag=key, owner=spec.owner, reads=0)
        renamed = {old: spec for spec in registry.flags.values() for old in spec.renamed_from}
        for key, sites in sorted(reads.items()):
            spec = registry.flags.get(key)
            if key in renamed:
                new = renamed[key]
                elsewhere = [f"{r.path}:{r.line}" for r in reads.get(new.key, [])]
                for r in sites:
                    yield self.finding(
                        r.path, r.line,
                        f"configuration key {key!r} was renamed to {new.key!r} ({registry.path}:{new.line}) but is "
                        f"still read here{' (the new key is read at ' + ', '.join(elsewhere) + ')' if elsewhere else ''}"
                        f"; setting {new.key!r} does not change this code",
                        severity=Severity.MEDIUM, column=r.site.column, symbol=f"flag:{key}:{r.site.caller}",
                        trace=[TraceStep(registry.path, new.line, 1, f"{new.key!r} declares renamed-from {key!r}")]
                        + [TraceStep(o.path, o.line, o.site.column, f"reads the new key {new.key!r} via {o.via}")
                           for o in reads.get(new.key, [])],
                        flag=key, renamed_to=new.key)
            elif spec is not None and spec.deprecated:
                for r in sites:
                    yield self.finding(r.path, r.line,
                                       f"flag {key!r} is deprecated ({registry.path}:{spec.line}) but still read here",
                                       column=r.site.column, symbol=f"flag:{key}:{r.site.caller}", flag=key,
                                       deprecated=True)
            elif spec is None:
                for r in sites:
                    yield self.finding(r.path, r.line, f"flag {key!r} is read here but not declared in {registry.path}",
                                       column=r.site.column, symbol=f"flag:{key}:{r.site.caller}", flag=key)
