"""The onboarding funnel of the Phoenix strategy, with the conversion between its steps.

Join → introduce yourself → pick a role → (onboarding guide) → first project → get help →
contribute → become a champion. The cohort is the members who joined in the period; each step
counts the cohort members who have done it (at any time before the end of the period):

=============== ===================================================================
step            done when the member...
=============== ===================================================================
joined          joined in the period (the cohort)
introduced      has a ``member.introduced``
role_picked     has a ``member.role_picked``
first_project   has a ``project.shared``
got_help        was the helped party of an ``answer.accepted``, ``thread.solved`` or
                ``thanks.given``: the actor of those kinds (the asker who accepted, the
                opener who marked solved, the member who thanked)
contributed     has an activity of a contribution kind
champion        began holding a tier of the champions programme (any tier: the strategy's
                "Become Champion" is joining the Phoenix Champions Program, whose entry
                level is Contributor), as the rules engine derived it
=============== ===================================================================

The strategy's "onboarding guide" step leaves no trace in the ledger and is not measured. The
champion step is not available (0 members, ``available: false``) until the rules engine has
run on the ledger. It counts a member who first began holding a tier before the end of the
period (the rules engine keeps when each tier was first held, across runs lost past their grace
and regained; a tier staff revoke is forgotten with its history).

``members`` of a step counts the cohort members who have done it *and every earlier step*
(in any order: imports do not arrive in order, and the steps happen on different
platforms); ``reached`` counts those who have done it at all. ``conversion`` is a step's
``members`` over the previous step's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hearth.domain.metrics.common import KindMonth, Period, ratio, rounded

HELPED_KINDS = frozenset({"answer.accepted", "thread.solved", "thanks.given"})


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """A step of the funnel: done by a member with an activity of one of ``kinds``, or, for
    a ``tiers`` step, by one who began holding a tier."""

    name: str
    kinds: frozenset[str] = frozenset()
    tiers: bool = False


def phoenix_funnel(contribution_kinds: frozenset[str]) -> tuple[FunnelStep, ...]:
    """The Phoenix onboarding flow's steps (the cohort step first)."""
    return (
        FunnelStep("joined"),
        FunnelStep("introduced", frozenset({"member.introduced"})),
        FunnelStep("role_picked", frozenset({"member.role_picked"})),
        FunnelStep("first_project", frozenset({"project.shared"})),
        FunnelStep("got_help", HELPED_KINDS),
        FunnelStep("contributed", contribution_kinds),
        FunnelStep("champion", tiers=True),
    )


def funnel_kinds(steps: Iterable[FunnelStep]) -> frozenset[str]:
    """Every kind any step looks at (what the store must group)."""
    kinds: set[str] = set()
    for step in steps:
        kinds |= step.kinds
    return frozenset(kinds)


def onboarding_funnel(
    steps: tuple[FunnelStep, ...],
    first_seen: Mapping[int, datetime],
    rows: Iterable[KindMonth],
    period: Period,
    platform: str | None = None,
    tier_reached: Mapping[int, datetime] | None = None,
) -> dict[str, Any]:
    """The funnel of the members who joined in ``period`` (see the module docstring).

    ``first_seen`` maps each counted member to when they joined; ``rows`` are grouped
    activities of the steps' kinds (others are ignored); ``tier_reached`` maps members to when
    they first began holding a tier (None: the rules engine has not run, the tier step is not
    available).
    """
    cohort = {member for member, seen in first_seen.items() if seen in period}
    done: dict[str, set[int]] = {step.name: set() for step in steps}
    by_kind: dict[str, list[set[int]]] = {}
    for step in steps:
        for kind in step.kinds:
            by_kind.setdefault(kind, []).append(done[step.name])
    for row in rows:
        if row.member_id not in cohort or (platform is not None and row.platform != platform):
            continue
        for members in by_kind.get(row.kind, ()):
            members.add(row.member_id)
    result = []
    chain: set[int] = set(cohort)
    previous: int | None = None
    for index, step in enumerate(steps):
        available = not step.tiers or tier_reached is not None
        if index == 0:
            reached = set(cohort)
        elif step.tiers:
            reached = {
                member
                for member, at in (tier_reached or {}).items()
                if member in cohort and at < period.until
            }
        else:
            reached = done[step.name]
        chain &= reached
        result.append(
            {
                "step": step.name,
                "available": available,
                "members": len(chain),
                "reached": len(reached),
                "conversion": (
                    rounded(ratio(len(chain), previous))
                    if previous is not None and available
                    else None
                ),
            }
        )
        previous = len(chain)
    return {"cohort": len(cohort), "steps": result}
