"""The staff dashboard's figures: the health report for a period, the playbook's platform goals,
and a cache that keeps both correct.

**The cache.** Computing the health report reads much of the ledger (seconds over a million
activities). A result is kept under the key ``(period, platform, ledger version)``; the ledger
version (:func:`hearth.store.dashboard_queries.ledger_version`) is the largest activity id, the
largest audit-log id, the largest NPS-answer id and how far the rules engine has derived (the
funnel's tier step). Every write that can change a figure raises one of them: an import adds
activities; merges, links, unmerges, flags and erasures are audited; an NPS answer is a new row;
the rules engine folds new activities or rebuilds. So a cached result is served only while it is
still exactly what a fresh computation would give, and reading the version costs four
primary-key lookups. Periods
end at the next midnight UTC, so "the last 30 days" is the same key all day. Concurrent requests
for a missing key wait for one computation instead of each starting their own. The cache lives in
each web process (a bounded LRU); nothing depends on it but speed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from hearth.actions.context import Caller, require_staff
from hearth.actions.metrics import access_metrics
from hearth.domain.metrics.contributors import contribution_kinds
from hearth.domain.metrics.targets import Target
from hearth.domain.playbook.conditions import compile_where
from hearth.domain.playbook.programs import PlatformGoal
from hearth.errors import InputError
from hearth.i18n import _
from hearth.store import dashboard_queries as dq
from hearth.store import metric_queries as mq

PERIODS: dict[str, int | None] = {"30d": 30, "90d": 90, "365d": 365, "all": None}
DEFAULT_PERIOD = "90d"


def period_bounds(key: str, now: datetime | None = None) -> tuple[datetime | None, datetime]:
    """``(since, until)`` of a named period; it ends at the next midnight UTC."""
    if key not in PERIODS:
        raise InputError(
            _("Unknown period '{key}'; expected one of: {keys}.").format(
                key=key, keys=", ".join(PERIODS)
            )
        )
    moment = now or datetime.now(UTC)
    until = datetime(moment.year, moment.month, moment.day, tzinfo=UTC) + timedelta(days=1)
    days = PERIODS[key]
    return (until - timedelta(days=days) if days else None), until


log = logging.getLogger(__name__)
STALE_FOR = 600.0
"""Seconds for which figures of an older ledger version may be shown while new ones are
computed (marked as such on the page)."""


class ResultCache:
    """A bounded LRU of computed results; one computation per missing key at a time."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        # Per family (a key without its data version): the latest key, value and when computed.
        self._latest: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any, float]] = {}
        self._refreshing: set[tuple[Any, ...]] = set()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._items:
                    self.hits += 1
                    return self._items[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            self._store(key, value)
        return value

    def _store(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self.misses += 1
            self._items[key] = value
            self._latest[key[:-1]] = (key, value, time.monotonic())
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_stale(
        self, key: tuple[Any, ...], compute: Callable[[], Any], max_age: float
    ) -> tuple[Any, bool]:
        """``(value, stale)``: the value for ``key``; or, while it is being computed in the
        background, the latest value of the same family (``key`` without its last element, the
        data version) if it was computed less than ``max_age`` seconds ago. Under live traffic
        the version changes every few seconds: readers then get figures a little behind, marked
        stale, instead of each waiting for a recomputation."""
        family = key[:-1]
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key], False
            latest = self._latest.get(family)
            usable = latest is not None and time.monotonic() - latest[2] < max_age
            if usable and family not in self._refreshing:
                self._refreshing.add(family)
                threading.Thread(
                    target=self._refresh, args=(key, family, compute), daemon=True
                ).start()
        if usable:
            assert latest is not None
            return latest[1], True
        return self.get(key, compute), False

    def _refresh(
        self, key: tuple[Any, ...], family: tuple[Any, ...], compute: Callable[[], Any]
    ) -> None:
        try:
            self.get(key, compute)
        except Exception:
            log.exception("refreshing cached figures failed")
        finally:
            with self._lock:
                self._refreshing.discard(family)


@dataclass(frozen=True, slots=True)
class DashboardQuery:
    period: str = DEFAULT_PERIOD
    platform: str | None = None


def access_dashboard(
    engine: Engine,
    caller: Caller,
    cache: ResultCache,
    query: DashboardQuery,
    goals: Iterable[PlatformGoal] = (),
    *,
    now: datetime | None = None,
    allow_stale: bool = False,
) -> dict[str, Any]:
    """The health report and the platform goals for ``query``, from the cache when current.

    With ``allow_stale`` (the staff page), while figures for new activity are computed in the
    background, the previous figures come back at once with ``stale: True``; without it (the
    API), the caller waits for current figures.
    """
    require_staff(caller)
    since, until = period_bounds(query.period, now)
    goal_list = tuple(goals)
    with engine.connect() as conn:
        version = dq.ledger_version(conn)
    key = (query.period, query.platform, until, tuple(g.key for g in goal_list), version)

    def compute() -> dict[str, Any]:
        report = access_metrics(engine, caller, since=since, until=until, platform=query.platform)
        start = datetime.fromisoformat(report["period"]["since"])
        return {
            "report": report,
            "platform_goals": platform_goals(engine, goal_list, start, until, now=now),
            "version": list(version),
        }

    if not allow_stale:
        result: dict[str, Any] = cache.get(key, compute)
        return result
    result, stale = cache.get_or_stale(key, compute, STALE_FOR)
    return {**result, "stale": True} if stale else result


def _bucket(moment: date, unit: str) -> tuple[int, int]:
    if unit == "week":
        iso = moment.isocalendar()
        return iso.year, iso.week
    if unit == "month":
        return moment.year, moment.month
    if unit == "quarter":
        return moment.year, (moment.month - 1) // 3
    if unit == "year":
        return moment.year, 0
    return moment.year, moment.timetuple().tm_yday


def _buckets(start: datetime, end: datetime, unit: str) -> int:
    seen = set()
    day = start.date()
    while day < end.date() or (day == end.date() and end.time() != datetime.min.time()):
        seen.add(_bucket(day, unit))
        day += timedelta(days=1)
    return max(1, len(seen))


def _goal_total(
    conn: Connection,
    goal: PlatformGoal,
    unit: str,
    since: datetime,
    end: datetime,
    kinds: frozenset[str] | None,
    bots: frozenset[int],
) -> int:
    """The goal's figure summed over its periods (day, week...): counted by the database."""
    scope: dict[str, Any] = {"platform": goal.platform, "kinds": kinds, "bots": bots}
    if goal.metric == "activity_count":
        if goal.match is not None and goal.match.where:
            match = compile_where(goal.match.where_clause())
            return sum(
                1
                for row in dq.goal_rows(conn, since, end, **scope)
                if match(row.properties or {}, row.platform, row.target_type)
            )
        return sum(n for _day, n in dq.goal_day_counts(conn, since, end, **scope))
    if unit == "day":
        days = dq.goal_day_counts(conn, since, end, distinct_members=True, **scope)
        return sum(n for _day, n in days)
    people: dict[tuple[int, int], set[int]] = {}
    for day, member in dq.goal_day_members(conn, since, end, **scope):
        people.setdefault(_bucket(date.fromisoformat(day), unit), set()).add(member)
    return sum(len(members) for members in people.values())


def platform_goals(
    engine: Engine,
    goals: Iterable[PlatformGoal],
    since: datetime,
    until: datetime,
    *,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Each platform goal of the playbook with its measured figure over ``[since, until)``.

    The figure is the average per ``period`` (day, week...) of the goal: distinct active
    members, distinct contributors, or matching activities. Platforms Hearth cannot see
    (``external``) have no figure.
    """
    end = min(until, now or datetime.now(UTC))
    contribution = contribution_kinds()
    results = []
    with engine.connect() as conn:
        bots, _staff = mq.flagged_members(conn)
        for goal in goals:
            unit = goal.period or "month"
            actual: float | None = None
            if goal.metric in ("active_members", "contributors", "activity_count"):
                kinds = contribution if goal.metric == "contributors" else None
                if goal.metric == "activity_count" and goal.match is not None:
                    kinds = frozenset(goal.match.kind)
                total = _goal_total(conn, goal, unit, since, end, kinds, bots)
                actual = round(total / _buckets(since, end, unit), 2)
            target = (
                Target(f"platform.{goal.key}", goal.comparison, float(goal.value), goal.amber)
                if goal.comparison is not None and goal.value is not None
                else None
            )
            results.append(
                {
                    "key": goal.key,
                    "name": goal.name,
                    "purpose": goal.purpose,
                    "platform": goal.platform,
                    "metric": goal.metric,
                    "period": goal.period,
                    "op": goal.comparison,
                    "target": goal.value,
                    "actual": actual,
                    "status": target.status(actual) if target else "unknown",
                    "measured": goal.metric != "external" and actual is not None,
                }
            )
    return results
