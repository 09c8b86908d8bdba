"""Business-hours arithmetic: response targets measured in working time.

A support promise such as "a first answer within 4 business hours" runs only while the team
works: :func:`add_business_time` finds the moment a target falls due, and
:func:`business_time_between` measures how much working time passed between two moments. Both
work in the schedule's time zone (``zoneinfo``), so a working day that crosses a daylight-saving
change is still 09:00 to 17:00 on the wall clock. Without a schedule (``None``) time is plain
elapsed time. Pure functions over plain data, like the rest of ``domain/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A target further away than this many calendar days is not looked for (no working time at all).
MAX_DAYS = 3660


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the team works: weekdays (0 = Monday), the hours of a working day, holidays."""

    timezone: str = "UTC"
    weekdays: frozenset[int] = frozenset(range(5))
    start: time = time(9)
    end: time = time(17)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a working day must end after it starts")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def works_on(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays


def _windows(schedule: Schedule, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The working windows (UTC) from the day of ``since`` on, in order."""
    zone = schedule.zone
    day = since.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        if schedule.works_on(day):
            opens = datetime.combine(day, schedule.start, zone).astimezone(UTC)
            closes = datetime.combine(day, schedule.end, zone).astimezone(UTC)
            if closes > since:
                yield max(opens, since), closes
        day += timedelta(days=1)


def add_business_time(start: datetime, duration: timedelta, schedule: Schedule | None) -> datetime:
    """The moment ``duration`` of working time after ``start`` has passed.

    ``start`` outside working hours counts from the next opening. Without a schedule this is
    ``start + duration``. Raises :class:`ValueError` when the schedule has no working time.
    """
    start = start.astimezone(UTC)
    if schedule is None:
        return start + duration
    left = duration
    for opens, closes in _windows(schedule, start):
        span = closes - opens
        if left <= span:
            return opens + left
        left -= span
    raise ValueError("the schedule has no working time")


def business_time_between(start: datetime, end: datetime, schedule: Schedule | None) -> timedelta:
    """Working time between ``start`` and ``end`` (zero when ``end`` is not after ``start``)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return timedelta(0)
    if schedule is None:
        return end - start
    total = timedelta(0)
    for opens, closes in _windows(schedule, start):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total
