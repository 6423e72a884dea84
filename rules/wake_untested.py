"""KW501 wake-untested."""

from __future__ import annotations

from knightwatch.output.blast import blast
from knightwatch.finding import Severity
from knightwatch.rule import Rule


class WakeUntested(Rule):
    """A release's flag values wake code that production never ran on a host that will receive them.

    ## What it does
    Given the flag values a release will ship with (`knightwatch check --candidate-flags FILE`: a
    TOML or JSON map of key to on/off, or an OpenFeature flag manifest's `defaultValue`s), finds
    every branch those values switch on, and reports it when some host whose production coverage
    reaches the flag read never ran the flag at that value, so the branch and everything only it
    calls has never executed there. The finding names those hosts and carries the path from the
    flag read to the riskiest sink the branch reaches. Critical when that sink has no breaker
    before it, high when it reaches a guarded sink, medium otherwise. A host that already ran the
    branch, or ran the flag at that value while the branch stayed shut, is not woken by the release.

    ## Why is this bad?
    Knight's release switched on a flag whose old meaning still lived on one of eight servers.
    Nothing said that the switch would run code that had not executed there in nine years, and
    that this code could send orders with no cumulative-quantity check.

    ## Example
    ```toml
    # release-flags.toml, shipped with the release
    "routing.midpoint-sweep" = true   # off on every host so far
    ```

    ## Use instead
    Exercise the branch before the release (a canary host, a test with the value on), add the
    missing breaker, or ship the flag off and turn it on host by host.
    """

    id = "KW501"
    name = "wake-untested"
    severity = Severity.HIGH
    needs = frozenset({"coverage"})
    tags = ("safety", "feature-flags", "coverage", "release")
    precision = "medium"

    def check(self, analysis):
        for key, value in sorted((analysis.config.candidate_flags or {}).items()):
            result = blast(analysis, key, value)
            for branch in result.wakes:
                hosts = sorted(h for h, status in branch.hosts.items() if status == "untested")
                if not hosts:
                    continue
                top = branch.top_sink
                reach = (f", and it reaches sink {top.sink}" + (" with no breaker before it" if not top.guarded else "")
                         if top else "")
                shown = ", ".join(hosts) if len(hosts) <= 3 else f"{len(hosts)} of {len(result.hosts)} hosts"
                yield self.finding(
                    branch.region.path, branch.region.start,
                    f"candidate {key}={'on' if value else 'off'} wakes this branch, which never ran on {shown}{reach}",
                    severity=branch.severity, symbol=f"{branch.region.read.site.caller}:{key}:{branch.region.kind}",
                    trace=branch.trace(), flag=key, value=value, hosts=hosts,
                    woken=branch.woken, sink=top.sink if top else None)
