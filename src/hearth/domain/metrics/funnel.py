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
champion        reached the Champion tier: tiers come from the rules engine, which does
                not exist yet, so this step is reported as not available (0 members)
=============== ===================================================================

The strategy's "onboarding guide" step leaves no trace in the ledger and is not measured.

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
    """A step of the funnel: done by a member with an activity of one of ``kinds``."""

    name: str
    kinds: frozenset[str] = frozenset()
    available: bool = True


def phoenix_funnel(contribution_kinds: frozenset[str]) -> tuple[FunnelStep, ...]:
    """The Phoenix onboarding flow's steps (the cohort step first)."""
    return (
        FunnelStep("joined"),
        FunnelStep("introduced", frozenset({"member.introduced"})),
        FunnelStep("role_picked", frozenset({"member.role_picked"})),
        FunnelStep("first_project", frozenset({"project.shared"})),
        FunnelStep("got_help", HELPED_KINDS),
        FunnelStep("contributed", contribution_kinds),
        FunnelStep("champion", available=False),  # tiers come with the rules engine
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
) -> dict[str, Any]:
    """The funnel of the members who joined in ``period`` (see the module docstring).

    ``first_seen`` maps each counted member to when they joined; ``rows`` are grouped
    activities of the steps' kinds (others are ignored).
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
        if index == 0:
            reached = set(cohort)
        elif step.available:
            reached = done[step.name]
        else:
            reached = set()
        chain &= reached
        result.append(
            {
                "step": step.name,
                "available": step.available,
                "members": len(chain),
                "reached": len(reached),
                "conversion": (
                    rounded(ratio(len(chain), previous))
                    if previous is not None and step.available
                    else None
                ),
            }
        )
        previous = len(chain)
    return {"cohort": len(cohort), "steps": result}
