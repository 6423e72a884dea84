"""knightwatch's rules, one a module. `ALL_RULES` is the public list, in rule-id order."""

from knightwatch.rules.breaker_out_of_reach import BreakerOutOfReach
from knightwatch.rules.dead_code import DeadCode
from knightwatch.rules.deployment_drift import DeploymentDrift
from knightwatch.rules.dormant_path import DormantPath
from knightwatch.rules.invalid_suppression import InvalidSuppression
from knightwatch.rules.kill_switch_liveness import KillSwitchLiveness
from knightwatch.rules.parse_error import ParseError
from knightwatch.rules.recycled_flag import RecycledFlag
from knightwatch.rules.stale_flag import StaleFlag
from knightwatch.rules.unused_suppression import UnusedSuppression
from knightwatch.rules.wake_untested import WakeUntested

ALL_RULES = sorted([ParseError, DormantPath, DeadCode, RecycledFlag, StaleFlag, BreakerOutOfReach, DeploymentDrift,
                    InvalidSuppression, UnusedSuppression, WakeUntested,
                    KillSwitchLiveness],
                   key=lambda r: r.id)
#: the rules by code, for the reporters and the audit, which read per-rule facts off the class
BY_ID = {r.id: r for r in ALL_RULES}
__all__ = ["ALL_RULES", "BY_ID"]
