"""What every health metric shares: the period, months and weeks, who counts, percentiles.

Periods are half-open, ``[since, until)`` in UTC. Months are ``"YYYY-MM"`` strings and weeks
the ISO date (``"YYYY-MM-DD"``) of their Monday, so both sort as text and serialise as JSON. A
month or week is *complete* when it lies entirely inside the period; growth rates and weekly
shares use complete ones only, so a period that starts or ends mid-month is not skewed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Period:
    """The half-open UTC interval ``[since, until)`` the metrics are computed for."""

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("a period's bounds must be timezone-aware")
        if self.until < self.since:
            raise ValueError("a period cannot end before it starts")

    def __contains__(self, moment: datetime) -> bool:
        return self.since <= moment < self.until

    def months(self) -> list[str]:
        """Every month that overlaps the period, in order (empty for an empty period)."""
        if self.until <= self.since:
            return []
        last = month_of(self.until - timedelta(microseconds=1))
        return list(months_between(month_of(self.since), last))

    def complete_months(self) -> list[str]:
        """The months that lie entirely inside the period."""
        return [
            m
            for m in self.months()
            if month_start(m) >= self.since and month_start(next_month(m)) <= self.until
        ]

    def complete_weeks(self) -> list[date]:
        """The Mondays of the ISO weeks (Monday 00:00 UTC onwards) entirely inside the period."""
        first = week_of(self.since)
        if _midnight(first) < self.since:
            first += WEEK
        weeks = []
        while _midnight(first) + WEEK <= self.until:
            weeks.append(first)
            first += WEEK
        return weeks


@dataclass(frozen=True, slots=True)
class People:
    """Which members are bots and which are staff; everyone else is a plain member.

    Bots are left out of every metric unless ``include_bots``. Staff are left out of member
    and contributor *counts* unless ``staff_in_counts`` (the playbook will decide; for now
    they are left out), but their replies count as responses and their contributions count
    towards the Contributor Absence Factor.
    """

    bots: frozenset[int] = frozenset()
    staff: frozenset[int] = frozenset()
    include_bots: bool = False
    staff_in_counts: bool = False

    def acts(self, member_id: int | None) -> bool:
        """Whether activity by ``member_id`` is counted at all (None: an unknown actor)."""
        return self.include_bots or member_id not in self.bots

    def counted(self, member_id: int | None) -> bool:
        """Whether ``member_id`` is counted as a member or contributor."""
        if member_id is None or not self.acts(member_id):
            return False
        return self.staff_in_counts or member_id not in self.staff


def month_of(moment: datetime | date) -> str:
    """The ``"YYYY-MM"`` of a moment (taken in UTC) or a date."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


def month_start(month: str) -> datetime:
    """Midnight UTC on the first day of ``month``."""
    year, number = int(month[:4]), int(month[5:7])
    return datetime(year, number, 1, tzinfo=UTC)


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def add_months(month: str, count: int) -> str:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_apart(first: str, later: str) -> int:
    """How many months ``later`` is after ``first`` (negative when it is before)."""
    return (int(later[:4]) - int(first[:4])) * 12 + int(later[5:7]) - int(first[5:7])


def months_between(first: str, last: str) -> Iterator[str]:
    """``first`` to ``last`` inclusive."""
    month = first
    while month <= last:
        yield month
        month = next_month(month)


def week_of(moment: datetime | date) -> date:
    """The Monday of the ISO week holding ``moment`` (in UTC)."""
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def percentile(
    values: Sequence[float], fraction: float, *, presorted: bool = False
) -> float | None:
    """The ``fraction`` quantile (0 to 1) of ``values`` by linear interpolation.

    The method is the "inclusive" one (Hyndman and Fan's type 7, the default of NumPy and
    spreadsheets, ``statistics.quantiles(..., method="inclusive")``): sort the n values, take
    the position ``h = (n - 1) * fraction`` and interpolate between the values at
    ``floor(h)`` and ``ceil(h)``. The 0.5 quantile is the usual median. None when empty.
    ``presorted`` says ``values`` is already in ascending order (it is not sorted again).
    """
    if not values:
        return None
    if not 0.0 <= fraction <= 1.0:
        raise ValueError("fraction must be between 0 and 1")
    ordered = values if presorted else sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(ordered[low])
    weight = position - low
    return float(ordered[low] + (ordered[high] - ordered[low]) * weight)


def ratio(part: int | float, whole: int | float) -> float | None:
    """``part / whole``, or None when ``whole`` is zero (a rate of nothing is unknown)."""
    return part / whole if whole else None


def rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def compound_growth(start: int, end: int, months: int) -> float | None:
    """The constant monthly rate that takes ``start`` to ``end`` in ``months`` months.

    None when there is no starting base (growth from nothing is undefined) or no month.
    """
    if start <= 0 or months <= 0:
        return None
    return float((end / start) ** (1.0 / months) - 1.0)


@dataclass(frozen=True, slots=True)
class KindMonth:
    """One member's activities of one kind on one platform in one month (grouped by the store).

    ``first_at`` is the earliest of them, ``count`` how many there were before the end of the
    period, ``in_period`` how many of those fall inside the period.
    """

    member_id: int
    platform: str
    kind: str
    month: str
    first_at: datetime
    count: int
    in_period: int
