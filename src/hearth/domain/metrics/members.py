"""Members: total, new per month, month-over-month growth, weekly active share, retention.

A member *joins* at their first activity in scope (their ``member.joined`` when the platform
records one, which is normally their earliest activity); members known only as the target of
someone else's activity are not counted. Bots and, unless the playbook says otherwise, staff
are left out (see :class:`~.common.People`).

- **Total**: members who joined before the end of the period.
- **New per month**: members who joined in each month of the period.
- **Month-over-month growth** of a complete month: its new members over the members at its
  start. The headline growth is the compound monthly rate over the period's complete months,
  from the first one that starts with at least one member.
- **Weekly active share** of a complete ISO week: members with any activity in the week over
  the members who joined before its end; the headline is the mean over the complete weeks.
- **Retention by join-month cohort**: for the members who joined in a month of the period,
  the share active in each later month (1, 2, ... 12 months after), up to the period's end.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from hearth.domain.metrics.common import (
    WEEK,
    People,
    Period,
    add_months,
    compound_growth,
    month_of,
    month_start,
    months_apart,
    next_month,
    ratio,
    rounded,
)

RETENTION_MONTHS = 12


@dataclass(frozen=True, slots=True)
class MemberActivity:
    """A member's activities on one platform in one week *and* one month (store-grouped).

    The store groups by the parts of ISO weeks that fall within one calendar month, so each
    row belongs to exactly one week (``week``, its Monday) and one month.
    """

    member_id: int
    platform: str
    month: str
    week: date
    first_at: datetime
    activities: int = 1


@dataclass(slots=True)
class MemberHistory:
    """When each counted member joined, and when they were active, in one scope."""

    first_seen: dict[int, datetime] = field(default_factory=dict)
    active_months: dict[int, set[str]] = field(default_factory=dict)
    active_weeks: dict[date, set[int]] = field(default_factory=dict)


def member_histories(
    rows: Iterable[MemberActivity], people: People, scopes: Sequence[str | None]
) -> dict[str | None, MemberHistory]:
    """One :class:`MemberHistory` per scope (a platform, or None for every platform).

    ``rows`` is read once. Members that :meth:`People.counted` refuses are left out.
    """
    histories: dict[str | None, MemberHistory] = {scope: MemberHistory() for scope in scopes}
    everywhere = histories.get(None)
    counted = people.counted
    for row in rows:
        if not counted(row.member_id):
            continue
        targets = [everywhere] if everywhere is not None else []
        if row.platform in histories:
            targets.append(histories[row.platform])
        for history in targets:
            seen = history.first_seen.get(row.member_id)
            if seen is None or row.first_at < seen:
                history.first_seen[row.member_id] = row.first_at
            history.active_months.setdefault(row.member_id, set()).add(row.month)
            history.active_weeks.setdefault(row.week, set()).add(row.member_id)
    return histories


@dataclass(frozen=True, slots=True)
class MemberMetrics:
    total: int
    new: int
    new_by_month: Mapping[str, int]
    total_by_month: Mapping[str, int]
    growth_by_month: Mapping[str, float | None]
    growth: float | None
    weekly_active_share: float | None
    weekly_active: Mapping[str, Mapping[str, Any]]
    retention: Sequence[Mapping[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "new": self.new,
            "new_by_month": dict(self.new_by_month),
            "total_by_month": dict(self.total_by_month),
            "growth_by_month": {k: rounded(v) for k, v in self.growth_by_month.items()},
            "growth": rounded(self.growth),
            "weekly_active": {
                "share": rounded(self.weekly_active_share),
                "weeks": {k: dict(v) for k, v in self.weekly_active.items()},
            },
            "retention": [dict(cohort) for cohort in self.retention],
        }


def member_metrics(history: MemberHistory, period: Period) -> MemberMetrics:
    """The member metrics of ``period`` (see the module docstring)."""
    joins = sorted(history.first_seen.values())

    def before(moment: datetime) -> int:
        return bisect_left(joins, moment)

    months = period.months()
    complete = set(period.complete_months())
    new_by_month: dict[str, int] = {}
    total_by_month: dict[str, int] = {}
    growth_by_month: dict[str, float | None] = {}
    for month in months:
        start = max(month_start(month), period.since)
        end = min(month_start(next_month(month)), period.until)
        new_by_month[month] = before(end) - before(start)
        total_by_month[month] = before(end)
        if month in complete:
            growth_by_month[month] = ratio(new_by_month[month], before(start))
    growth = _headline_growth(
        [m for m in months if m in complete],
        lambda m: before(month_start(m)),
        lambda m: before(month_start(next_month(m))),
    )
    weekly, share = _weekly_active(history, period, before)
    return MemberMetrics(
        total=before(period.until),
        new=before(period.until) - before(period.since),
        new_by_month=new_by_month,
        total_by_month=total_by_month,
        growth_by_month=growth_by_month,
        growth=growth,
        weekly_active_share=share,
        weekly_active=weekly,
        retention=retention(history, period),
    )


def _headline_growth(
    complete: list[str], at_start: Callable[[str], int], at_end: Callable[[str], int]
) -> float | None:
    """Compound monthly growth over ``complete`` months, from the first with a base."""
    based = [m for m in complete if at_start(m) > 0]
    if not based:
        return None
    first, last = based[0], complete[-1]
    return compound_growth(at_start(first), at_end(last), months_apart(first, last) + 1)


def _weekly_active(
    history: MemberHistory, period: Period, before: Callable[[datetime], int]
) -> tuple[dict[str, dict[str, Any]], float | None]:
    by_week: dict[str, dict[str, Any]] = {}
    shares: list[float] = []
    for monday in period.complete_weeks():
        end = datetime(monday.year, monday.month, monday.day, tzinfo=UTC) + WEEK
        members = before(end)
        count = len(history.active_weeks.get(monday, ()))
        share = ratio(count, members)
        by_week[monday.isoformat()] = {
            "active": count,
            "members": members,
            "share": rounded(share),
        }
        if share is not None:
            shares.append(share)
    return by_week, (sum(shares) / len(shares) if shares else None)


def retention(history: MemberHistory, period: Period) -> list[dict[str, Any]]:
    """Per join-month cohort of the period: its size and the share active 1..12 months on."""
    cohorts: dict[str, list[int]] = {}
    for member_id, seen in history.first_seen.items():
        if seen in period:
            cohorts.setdefault(month_of(seen), []).append(member_id)
    months = period.months()
    last_month = months[-1] if months else None
    result = []
    for cohort in sorted(cohorts):
        members = cohorts[cohort]
        retained: list[float | None] = []
        for offset in range(1, RETENTION_MONTHS + 1):
            month = add_months(cohort, offset)
            if last_month is None or month > last_month:
                break
            active = sum(1 for m in members if month in history.active_months.get(m, ()))
            retained.append(rounded(ratio(active, len(members))))
        result.append({"cohort": cohort, "members": len(members), "retained": retained})
    return result
