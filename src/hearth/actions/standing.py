"""Reading what the rules engine derived: a member's standing, tiers, leaderboards.

Points, achievements, tiers and leaderboard places are public within the community (they are
what leaderboards and profiles show), so any caller may read them; the data they come from
stays behind the ledger's own permission checks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select

from hearth.actions.context import Caller
from hearth.actions.members import live_member
from hearth.domain.playbook import Playbook
from hearth.domain.playbook.schema import CountMeasure, HelpedMeasure, PointsMeasure
from hearth.domain.rules import Place, TierPlan, rank, to_seconds, window_days
from hearth.domain.rules.compiled import MANUAL_RULE, compile_playbook
from hearth.domain.rules.state import TierTrack
from hearth.domain.rules.tiers import compile_tiers
from hearth.errors import NotFound
from hearth.i18n import _
from hearth.store.tables import (
    awards,
    board_tallies,
    helps,
    member_points_daily,
    member_standing,
    member_tiers,
    members,
)

INF = float("inf")


@dataclass(frozen=True, slots=True)
class TierHeld:
    key: str
    name: str
    since: datetime | None
    grace_until: datetime | None


@dataclass(frozen=True, slots=True)
class AwardView:
    key: str
    name: str
    item: str
    awarded_at: datetime
    manual: bool


@dataclass(frozen=True, slots=True)
class RuleLine:
    key: str
    name: str
    points: int
    times: int


@dataclass(slots=True)
class MemberStanding:
    member_id: int
    display_name: str
    points: int
    breakdown: list[RuleLine]
    awards: list[AwardView]
    tier: TierHeld | None
    progress: list[dict[str, Any]] = field(default_factory=list)
    evaluated_at: datetime | None = None
    changes_at: datetime | None = None
    """The next moment the tiers held can change with time alone (a tenure completes, a
    window lapses, a grace period ends); None: not before the next activity."""

    def next_tier(self, playbook: Playbook) -> dict[str, Any] | None:
        """Progress towards the lowest automatic tier above the one held."""
        keys = [t.key for t in playbook.tiers]
        held = keys.index(self.tier.key) if self.tier else -1
        for entry in self.progress:
            if entry["manual"] or entry["tier"] not in keys:
                continue
            if keys.index(entry["tier"]) > held:
                return entry
        return None


_plans_lock = threading.Lock()
_plans: dict[int, tuple[Playbook, list[TierPlan]]] = {}


def tier_plans(playbook: Playbook) -> list[TierPlan]:
    """The playbook's compiled tiers, compiled once per playbook object (pages ask per view)."""
    with _plans_lock:
        found = _plans.get(id(playbook))
        if found is not None and found[0] is playbook:
            return found[1]
    plans = compile_tiers(playbook, compile_playbook(playbook))
    with _plans_lock:
        if len(_plans) > 16:
            _plans.clear()
        _plans[id(playbook)] = (playbook, plans)
    return plans


def _seconds(value: datetime | None) -> float | None:
    return to_seconds(value) if value is not None else None


def _track(row: Any) -> TierTrack:
    track = TierTrack()
    track.since = _seconds(row.since)
    track.end = _seconds(row.stretch_end)
    if row.qualifies:
        start, until = _seconds(row.qualifies_from), _seconds(row.qualifies_until)
        track.start = -INF if start is None else start
        track.until = INF if until is None else until
    track.evaluated = to_seconds(row.evaluated_at)
    return track


def tiers_at(rows: list[Any], plans: list[TierPlan], now: datetime) -> dict[int, TierHeld]:
    """The highest tier each member in ``rows`` (member_tiers rows) holds at ``now``."""
    by_key = {p.key: (i, p) for i, p in enumerate(plans)}
    best: dict[int, tuple[int, TierHeld]] = {}
    moment = to_seconds(now)
    for row in rows:
        found = by_key.get(row.tier)
        if found is None:
            continue
        order, plan = found
        track = _track(row)
        held, since, grace_until = track.status(max(moment, track.evaluated), plan.grace)
        if not held:
            continue
        current = best.get(row.member_id)
        if current is None or order > current[0]:
            best[row.member_id] = (
                order,
                TierHeld(
                    plan.key,
                    plan.name,
                    datetime.fromtimestamp(since, UTC) if since is not None else None,
                    datetime.fromtimestamp(grace_until, UTC) if grace_until else None,
                ),
            )
    return {member_id: held for member_id, (_, held) in best.items()}


def access_member_standing(
    engine: Engine,
    caller: Caller,
    member_id: int,
    playbook: Playbook,
    now: datetime | None = None,
) -> MemberStanding:
    """A member's points by rule, achievements with dates, tier and progress."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        member = live_member(conn, member_id)
        standing = conn.execute(
            select(member_standing).where(member_standing.c.member_id == member_id)
        ).first()
        award_rows = conn.execute(
            select(awards)
            .where(awards.c.member_id == member_id)
            .order_by(awards.c.awarded_at, awards.c.achievement, awards.c.item)
        ).all()
        tier_rows = conn.execute(
            select(member_tiers).where(member_tiers.c.member_id == member_id)
        ).all()
    names = {r.key: r.name for r in playbook.points.rules}
    names[MANUAL_RULE] = _("Granted by staff")
    achievement_names = {a.key: a.name for a in playbook.achievements}
    breakdown = []
    if standing is not None:
        for key, entry in standing.breakdown.items():
            breakdown.append(
                RuleLine(key, names.get(key, key), int(entry["points"]), int(entry["times"]))
            )
    breakdown.sort(key=lambda line: (-line.points, line.key))
    plans = tier_plans(playbook)
    tier = tiers_at(list(tier_rows), plans, now).get(member_id)
    return MemberStanding(
        member_id=member_id,
        display_name=member["display_name"],
        points=int(standing.points) if standing is not None else playbook.points.starting_balance,
        breakdown=breakdown,
        awards=[
            AwardView(
                r.achievement,
                achievement_names.get(r.achievement, r.achievement),
                r.item,
                r.awarded_at,
                bool(r.manual),
            )
            for r in award_rows
        ],
        tier=tier,
        progress=list(standing.progress) if standing is not None else [],
        evaluated_at=standing.evaluated_at if standing is not None else None,
        changes_at=_next_change(list(tier_rows), plans, now),
    )


def _next_change(rows: list[Any], plans: list[TierPlan], now: datetime) -> datetime | None:
    """The earliest moment after ``now`` at which a tier track's status can flip by itself."""
    grace = {p.key: timedelta(seconds=p.grace) for p in plans}
    moments: list[datetime] = []
    for row in rows:
        extra = grace.get(row.tier, timedelta(0))
        for moment in (row.qualifies_from, row.qualifies_until):
            if moment is not None:
                moments.append(_aware(moment))
                moments.append(_aware(moment) + extra)
        if row.stretch_end is not None:
            moments.append(_aware(row.stretch_end) + extra)
    future = [m for m in moments if m > now]
    return min(future) if future else None


def standings_for_export(
    conn: Connection, playbook: Playbook | None, now: datetime | None = None
) -> tuple[dict[int, int], dict[int, list[dict[str, Any]]], dict[int, TierHeld]]:
    """Points, achievements and tier of every member, for the members export."""
    if playbook is None:
        return {}, {}, {}
    now = now or datetime.now(UTC)
    points = {r.member_id: int(r.points) for r in conn.execute(select(member_standing))}
    earned: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(awards).order_by(awards.c.member_id, awards.c.awarded_at, awards.c.achievement)
    ):
        earned.setdefault(r.member_id, []).append(
            {
                "achievement": r.achievement,
                "item": r.item or None,
                "awarded_at": r.awarded_at.isoformat(),
                "manual": bool(r.manual),
            }
        )
    tiers = tiers_at(list(conn.execute(select(member_tiers))), tier_plans(playbook), now)
    return points, earned, tiers


def access_leaderboard(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    key: str,
    window: str | None = None,
    *,
    now: datetime | None = None,
    size: int | None = None,
) -> list[Place]:
    """The places of leaderboard ``key`` over ``window`` (the board's first window by default)."""
    board = playbook.leaderboard(key)
    if board is None:
        known = ", ".join(b.key for b in playbook.leaderboards) or _("none")
        raise NotFound(_("No leaderboard '{key}'; known: {known}.").format(key=key, known=known))
    window = window or board.windows[0]
    if window not in board.windows:
        raise NotFound(
            _("Leaderboard '{key}' has no window '{window}'; it has {windows}.").format(
                key=key, window=window, windows=", ".join(board.windows)
            )
        )
    now = now or datetime.now(UTC)
    first, last = window_days(window, now)
    measure = board.measure
    size = size or board.size
    eligible = _eligible_members(board.include_staff, now)
    if isinstance(measure, PointsMeasure):
        t = member_points_daily
        total = func.sum(t.c.amount)
        reached = func.max(t.c.last_at)
        query = select(t.c.member_id, total, reached).where(
            t.c.day <= last, t.c.member_id.in_(eligible)
        )
        if first is not None:
            query = query.where(t.c.day >= first)
        if measure.rules:
            query = query.where(t.c.rule.in_(measure.rules))
        query = query.group_by(t.c.member_id)
    elif isinstance(measure, CountMeasure):
        t = board_tallies
        total = func.sum(t.c.value)
        reached = func.max(t.c.last_at)
        query = select(t.c.subject, total, reached).where(
            t.c.board == board.key,
            t.c.day <= last,
            or_(t.c.member_id.is_(None), t.c.member_id.in_(eligible)),
        )
        if first is not None:
            query = query.where(t.c.day >= first)
        query = query.group_by(t.c.subject)
    else:
        assert isinstance(measure, HelpedMeasure)
        h = helps
        upper = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
        inner = select(h.c.helper_id, h.c.helped_id, func.min(h.c.at).label("first_at")).where(
            h.c.at < upper, h.c.helper_id.in_(eligible)
        )
        if first is not None:
            inner = inner.where(h.c.at >= datetime(first.year, first.month, first.day, tzinfo=UTC))
        if measure.via:
            inner = inner.where(h.c.via.in_(measure.via))
        pairs = inner.group_by(h.c.helper_id, h.c.helped_id).subquery()
        total = func.count()  # type: ignore[assignment]
        reached = func.max(pairs.c.first_at)
        query = select(pairs.c.helper_id, total, reached).group_by(pairs.c.helper_id)
    # The database ranks and cuts (a board reads a handful of rows, not every member); the
    # final order, ties included, is domain.rules.rank's, over a margin of extra rows.
    query = query.having(total > 0).order_by(total.desc(), reached.asc()).limit(size + 50)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    subjects = [
        (subject if isinstance(subject, str) else f"m:{subject}", int(value), _aware(at))
        for subject, value, at in rows
    ]
    return rank(subjects, size)


def _eligible_members(include_staff: bool, now: datetime) -> Any:
    """Members a leaderboard may show: not bots, erased or merged away, not staff unless the
    board includes them, and not under a ban lasting past ``now``."""
    banned = select(member_standing.c.member_id).where(member_standing.c.banned_until > now)
    query = select(members.c.id).where(
        members.c.is_bot.is_(False),
        members.c.erased_at.is_(None),
        members.c.merged_into.is_(None),
        members.c.id.not_in(banned),
    )
    if not include_staff:
        query = query.where(members.c.is_staff.is_(False))
    return query


def _aware(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
