"""Durations in playbooks: ``30d``, ``2h``, ``1w``, ``90m``, ``1h30m`` → :class:`timedelta`.

Units are ``w`` (weeks), ``d`` (days), ``h`` (hours), ``m`` (minutes) and ``s`` (seconds);
several may be combined, largest first, each at most once (``1d12h``). Months and years are
not durations: a month is 28 to 31 days, so "one month" means different spans depending on
when it starts, and rules that pay or demote on it would be unpredictable. Write days
(``30d``, ``90d``); calendar periods such as "this month" are leaderboard windows instead.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS: dict[str, int] = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
UNIT_NAMES: dict[str, str] = {
    "w": "weeks",
    "d": "days",
    "h": "hours",
    "m": "minutes",
    "s": "seconds",
}
_PART = re.compile(r"(\d+)\s*([A-Za-z]+)")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[A-Za-z]+\s*)+$")
_MONTHS = {"mo", "mon", "mth", "month", "months", "y", "yr", "year", "years", "M"}

EXAMPLES = "30d, 2h, 1w or 90m"


class MonthsNotAllowed(ValueError):
    """A duration written in months or years, which have no fixed length."""


def parse_duration(text: str) -> timedelta:
    """Parse ``text`` such as ``30d`` or ``1h30m``; raise :class:`ValueError` saying why not."""
    if not isinstance(text, str) or not _WHOLE.match(text):
        raise ValueError(f"expected a duration such as {EXAMPLES}, got {text!r}")
    seconds = 0
    seen: list[str] = []
    for number, unit in _PART.findall(text):
        if unit in _MONTHS or unit.lower() in _MONTHS:
            raise MonthsNotAllowed(
                f"{text!r}: months and years are not allowed as durations because their length "
                "varies (28 to 31 days, 365 or 366); write days instead, e.g. 30d or 90d"
            )
        if unit not in UNITS:
            raise ValueError(
                f"{text!r}: unknown unit {unit!r}; expected w (weeks), d (days), h (hours), "
                "m (minutes) or s (seconds)"
            )
        if unit in seen:
            raise ValueError(f"{text!r}: the unit {unit!r} is given twice")
        if seen and UNITS[unit] > UNITS[seen[-1]]:
            raise ValueError(f"{text!r}: write the largest unit first, e.g. 1d12h")
        seen.append(unit)
        seconds += int(number) * UNITS[unit]
    if seconds == 0:
        raise ValueError(f"{text!r}: a duration must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest playbook spelling of ``value`` (``timedelta(days=30)`` → ``30d``)."""
    seconds = int(value.total_seconds())
    if seconds <= 0:
        return "0s"
    if seconds % UNITS["w"] == 0:
        return f"{seconds // UNITS['w']}w"
    parts: list[str] = []
    for unit in ("d", "h", "m", "s"):
        count, seconds = divmod(seconds, UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
