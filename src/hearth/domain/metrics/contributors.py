"""Contributors: active and new per month, growth, and the Contributor Absence Factor.

A *contribution* is an activity of a contribution kind: what the playbook declares, for now the
kinds registered with ``contribution=True`` (:func:`contribution_kinds`). A member is a
*contributor* from their first contribution on.

- **Active contributors** of a month: members with at least one contribution in it (inside the
  period). **New contributors**: members whose first contribution ever falls in it.
- **Contributor growth** of a complete month: its new contributors over all contributors
  before it; the headline is the compound monthly rate over the complete months (as for
  members). **Active growth**: the change in active contributors from the month before.
- **Contributor Absence Factor** (CHAOSS; the "bus factor"): the smallest number of
  contributors whose contributions in the period make up at least half of all contributions
  in it. Bots are left out; staff are counted here even when left out of the counts, since
  the factor measures how much the project depends on a few people.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hearth.domain.kinds import all_kinds
from hearth.domain.metrics.common import (
    KindMonth,
    People,
    Period,
    compound_growth,
    month_of,
    month_start,
    months_apart,
    next_month,
    ratio,
    rounded,
)


def contribution_kinds() -> frozenset[str]:
    """The kinds that count as contributions until the playbook says otherwise."""
    return frozenset(kind.name for kind in all_kinds() if kind.contribution)


def contributor_absence_factor(contributions: Mapping[int, int]) -> int:
    """The fewest contributors who together made at least 50% of ``contributions``.

    ``contributions`` maps a contributor to their count. Ties do not change the answer (the
    largest counts are taken first, whoever has them). 0 when nobody contributed.
    """
    total = sum(count for count in contributions.values() if count > 0)
    if not total:
        return 0
    running = 0
    for taken, count in enumerate(sorted(contributions.values(), reverse=True), start=1):
        running += count
        if 2 * running >= total:
            return taken
    return len(contributions)  # pragma: no cover - the loop always reaches half


@dataclass(frozen=True, slots=True)
class ContributorMetrics:
    active: int
    new: int
    contributions: int
    active_by_month: Mapping[str, int]
    new_by_month: Mapping[str, int]
    total_by_month: Mapping[str, int]
    growth_by_month: Mapping[str, float | None]
    active_growth_by_month: Mapping[str, float | None]
    growth: float | None
    bus_factor: int
    first_contribution: Mapping[int, datetime]

    def to_dict(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "new": self.new,
            "contributions": self.contributions,
            "active_by_month": dict(self.active_by_month),
            "new_by_month": dict(self.new_by_month),
            "total_by_month": dict(self.total_by_month),
            "growth_by_month": {k: rounded(v) for k, v in self.growth_by_month.items()},
            "active_growth_by_month": {
                k: rounded(v) for k, v in self.active_growth_by_month.items()
            },
            "growth": rounded(self.growth),
        }


def contributor_metrics(
    rows: Iterable[KindMonth],
    people: People,
    period: Period,
    kinds: frozenset[str],
    platform: str | None = None,
) -> ContributorMetrics:
    """The contributor metrics of ``period`` from grouped activity rows.

    Rows of other kinds, or of another platform when ``platform`` is given, are ignored.
    """
    first: dict[int, datetime] = {}
    in_period: dict[int, int] = {}
    active_months: dict[str, set[int]] = {}
    for row in rows:
        if row.kind not in kinds or (platform is not None and row.platform != platform):
            continue
        if not people.acts(row.member_id):
            continue
        seen = first.get(row.member_id)
        if seen is None or row.first_at < seen:
            first[row.member_id] = row.first_at
        if row.in_period:
            in_period[row.member_id] = in_period.get(row.member_id, 0) + row.in_period
            if people.counted(row.member_id):
                active_months.setdefault(row.month, set()).add(row.member_id)
    counted_first = sorted(at for member, at in first.items() if people.counted(member))

    def before(moment: datetime) -> int:
        return bisect_left(counted_first, moment)

    months = period.months()
    complete = period.complete_months()
    new_by_month: dict[str, int] = {}
    total_by_month: dict[str, int] = {}
    growth_by_month: dict[str, float | None] = {}
    active_growth: dict[str, float | None] = {}
    for month in months:
        start = max(month_start(month), period.since)
        end = min(month_start(next_month(month)), period.until)
        new_by_month[month] = before(end) - before(start)
        total_by_month[month] = before(end)
        if month in complete:
            growth_by_month[month] = ratio(new_by_month[month], before(start))
    active_by_month = {m: len(active_months.get(m, ())) for m in months}
    for previous, month in itertools.pairwise(months):
        if previous in complete and month in complete:
            change = active_by_month[month] - active_by_month[previous]
            active_growth[month] = ratio(change, active_by_month[previous])
    based = [m for m in complete if before(month_start(m)) > 0]
    growth = None
    if based:
        growth = compound_growth(
            before(month_start(based[0])),
            before(month_start(next_month(complete[-1]))),
            months_apart(based[0], complete[-1]) + 1,
        )
    counted_active = {m for m, n in in_period.items() if n and people.counted(m)}
    return ContributorMetrics(
        active=len(counted_active),
        new=before(period.until) - before(period.since),
        contributions=sum(in_period.values()),
        active_by_month=active_by_month,
        new_by_month=new_by_month,
        total_by_month=total_by_month,
        growth_by_month=growth_by_month,
        active_growth_by_month=active_growth,
        growth=growth,
        bus_factor=contributor_absence_factor(in_period),
        first_contribution=first,
    )


def cumulative_by_month(firsts: Iterable[datetime], months: list[str]) -> list[int]:
    """How many of ``firsts`` fall before the end of each of ``months``."""
    ordered = sorted(month_of(at) for at in firsts)
    counts = []
    index = 0
    for month in months:
        while index < len(ordered) and ordered[index] <= month:
            index += 1
        counts.append(index)
    return counts
