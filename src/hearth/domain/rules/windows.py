"""Leaderboard windows as ranges of UTC days, and the ranking order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hearth.domain.playbook import rolling_window

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_date(number: int) -> date:
    return EPOCH + timedelta(days=number)


def window_days(window: str, as_of: datetime) -> tuple[date | None, date]:
    """The first and last UTC day of ``window`` at ``as_of`` (first None: since the start).

    Rolling windows (``30d``) cover whole days: the last N days including today.
    """
    today = as_of.date()
    span = rolling_window(window)
    if span is not None:
        days = max(1, round(span.total_seconds() / 86_400))
        return today - timedelta(days=days - 1), today
    if window == "all_time":
        return None, today
    if window in ("this_week", "last_week"):
        monday = today - timedelta(days=today.weekday())
        if window == "last_week":
            return monday - timedelta(days=7), monday - timedelta(days=1)
        return monday, today
    if window in ("this_month", "last_month"):
        first = today.replace(day=1)
        if window == "last_month":
            previous_last = first - timedelta(days=1)
            return previous_last.replace(day=1), previous_last
        return first, today
    if window == "this_quarter":
        month = 3 * ((today.month - 1) // 3) + 1
        return today.replace(month=month, day=1), today
    if window == "this_year":
        return today.replace(month=1, day=1), today
    raise ValueError(f"unknown window {window!r}")


@dataclass(frozen=True, slots=True)
class Place:
    """One line of a leaderboard."""

    rank: int
    subject: str  # "m:<member id>" or "t:<target id>"
    value: int
    reached_at: datetime

    @property
    def member_id(self) -> int | None:
        return int(self.subject[2:]) if self.subject.startswith("m:") else None


def rank(totals: Iterable[tuple[str, int, datetime]], size: int) -> list[Place]:
    """Order ``(subject, value, reached_at)`` by value (highest first); a tie goes to whoever
    reached the value first, then to the lower subject id. Subjects with nothing are left out."""
    ordered = sorted(
        (t for t in totals if t[1] > 0),
        key=lambda t: (-t[1], t[2], _subject_order(t[0])),
    )
    return [
        Place(position, subject, value, reached_at)
        for position, (subject, value, reached_at) in enumerate(ordered[:size], start=1)
    ]


def _subject_order(subject: str) -> tuple[int, str]:
    tail = subject[2:]
    return (int(tail), "") if tail.isdigit() else (0, tail)
