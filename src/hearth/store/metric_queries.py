"""Queries that stream the plain records the health metrics are computed from.

Each function reads one thing and yields the records of :mod:`hearth.domain.metrics`, selecting
only the columns needed. Grouping happens in SQL where it is simple and the same on SQLite and
PostgreSQL: counts and minimums over time ranges. Big groupings are run one calendar month at a
time (member activity: one part of a week within a month at a time), as range queries on the
``occurred_at`` index: sorting a month of rows is far cheaper than sorting the whole ledger,
and the month (and week) each row belongs to is then known without computing it in SQL. Hours
are bucketed in SQL by :class:`hour_key`, compiled for each backend. Timestamps are read raw
(:func:`_moment`), which is much cheaper than SQLAlchemy's conversion of each value.

Bots are left out here when the filter is part of a count (:func:`hourly_activity`,
:func:`channel_counts`); elsewhere every row is returned and the domain decides with
:class:`~hearth.domain.metrics.common.People`.

Thread replies are matched to their threads in Python rather than by a join: the ledger has no
index on targets, and one scan of the reply kinds is much faster than a join without one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from hearth.domain.metrics.activity import HourCount, TopicCount
from hearth.domain.metrics.common import KindMonth, month_of, month_start, next_month, week_of
from hearth.domain.metrics.members import MemberActivity
from hearth.domain.metrics.nps import NpsAnswer
from hearth.domain.metrics.satisfaction import TicketRating
from hearth.domain.metrics.threads import (
    OPENING_KINDS,
    REPLY_KINDS,
    RESOLUTION_KINDS,
    ThreadEvent,
    ThreadKey,
    ThreadOpened,
    ThreadReaction,
    ThreadReply,
    ThreadResolved,
)
from hearth.store.tables import (
    activities,
    derivation_state,
    member_tiers,
    members,
    nps_responses,
    tickets,
)

STREAM = 5000  # rows per fetch from a server-side cursor (PostgreSQL)
CHANNEL_KINDS = ("message.posted", "thread.started")
REACTION_KIND = "reaction.added"
TICKET_PLATFORM = "hearth"  # tickets' activities are the workflow's own
FORUM_TICKET = "forum"  # ``ticket.opened``'s ``opened_on`` for a help-forum post
WEEK = timedelta(days=7)

a = activities.c


class hour_key(FunctionElement[str]):
    """``YYYY-MM-DD HH`` of a UTC timestamp column, as text."""

    type = String()
    name = "hour_key"
    inherit_cache = True


# SQLite stores UTCDateTime as naive UTC text, "YYYY-MM-DD HH:MM:SS.ffffff".
@compiles(hour_key, "sqlite")
def _hour_sqlite(element: hour_key, compiler: SQLCompiler, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 13)"


@compiles(hour_key, "postgresql")
def _hour_pg(element: hour_key, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(({column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24')"


def _moment_column() -> Any:
    """``occurred_at`` without SQLAlchemy's per-value conversion (see :func:`_moment`)."""
    return type_coerce(a.occurred_at, String)


def _moment(value: Any) -> datetime:
    """A UTC datetime from a raw ``occurred_at``: SQLite's text or PostgreSQL's datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")  # naive UTC text; faster than replace
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    raise TypeError(f"expected a timestamp, not {value!r}")


def week_month_ranges(
    start: datetime, end: datetime
) -> Iterator[tuple[str, date, datetime, datetime]]:
    """``(month, monday, since, until)`` for every part of an ISO week within one month.

    The parts cover ``[start, end)`` exactly: each month is cut at every Monday 00:00 UTC.
    """
    for month, since, before in month_ranges(start, end):
        while since < before:
            monday = week_of(since)
            following = min(datetime.combine(monday, time(), UTC) + WEEK, before)
            yield month, monday, since, following
            since = following


def month_ranges(start: datetime, end: datetime) -> Iterator[tuple[str, datetime, datetime]]:
    """``(month, since, until)`` for every calendar month overlapping ``[start, end)``."""
    if end <= start:
        return
    month = month_of(start)
    while month_start(month) < end:
        following = month_start(next_month(month))
        yield month, max(month_start(month), start), min(following, end)
        month = next_month(month)


# -- filters -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """What to read: the period ``[since, until)``, one platform or all, bots or not."""

    since: datetime
    until: datetime
    platform: str | None = None
    include_bots: bool = False
    ledger: tuple[datetime, datetime] | None = None  # first and last activity, when known


def _flagged(flag: Any) -> Any:
    return select(members.c.id).where(flag).scalar_subquery()


def _not_bots(scope: Scope) -> list[ColumnElement[bool]]:
    """The condition leaving out bots' activities, unless the scope includes them."""
    if scope.include_bots:
        return []
    actor = a.actor_member_id
    return [or_(actor.is_(None), actor.not_in(_flagged(members.c.is_bot)))]


def _in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """The scope's conditions, leaving out time bounds that hold for the whole ledger.

    A bound on ``occurred_at`` makes SQLite read through its index, which for a period
    covering most of the ledger is much slower than a plain scan.
    """
    conditions: list[ColumnElement[bool]] = []
    first, last = scope.ledger or (None, None)
    if first is None or scope.since > first:
        conditions.append(a.occurred_at >= scope.since)
    if last is None or scope.until <= last:
        conditions.append(a.occurred_at < scope.until)
    if scope.platform is not None:
        conditions.append(a.platform == scope.platform)
    return conditions


# -- the ledger as a whole -----------------------------------------------------------------


def ledger_bounds(conn: Connection) -> tuple[datetime, datetime] | None:
    """The times of the first and last activity in the ledger (None when it is empty)."""
    # Two queries: each is answered from the end of the occurred_at index.
    first = conn.scalar(select(func.min(a.occurred_at)))
    last = conn.scalar(select(func.max(a.occurred_at)))
    if first is None or last is None:
        return None
    return first, last


def flagged_members(conn: Connection) -> tuple[frozenset[int], frozenset[int]]:
    """The ids of the members flagged as bots and of those flagged as staff."""
    bots: set[int] = set()
    staff: set[int] = set()
    query = select(members.c.id, members.c.is_bot, members.c.is_staff).where(
        or_(members.c.is_bot, members.c.is_staff)
    )
    for member_id, is_bot, is_staff in conn.execute(query):
        if is_bot:
            bots.add(member_id)
        if is_staff:
            staff.add(member_id)
    return frozenset(bots), frozenset(staff)


def tier_starts(conn: Connection) -> dict[int, datetime] | None:
    """Member -> when they first began holding a tier (the earliest of their tiers); None when
    the rules engine has not run on this ledger (no tiers are known)."""
    if conn.scalar(select(derivation_state.c.id)) is None:
        return None
    t = member_tiers.c
    first = func.coalesce(t.first_since, t.since)  # rows derived before 0017 know only since
    query = select(t.member_id, func.min(first)).where(first.is_not(None)).group_by(t.member_id)
    return {int(member_id): _moment(since) for member_id, since in conn.execute(query)}


# -- threads ---------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v)
    return ()


def _reaction_total(value: Any) -> int:
    if isinstance(value, dict):
        return sum(v for v in value.values() if isinstance(v, int) and not isinstance(v, bool))
    return 0


@dataclass
class ThreadRecords:
    """The threads opened in a scope, by key, and their opening posts' ids (for reactions)."""

    openings: list[ThreadOpened] = field(default_factory=list)
    keys: dict[ThreadKey, ThreadOpened] = field(default_factory=dict)
    posts: dict[tuple[str, str], ThreadKey] = field(default_factory=dict)


def _prop(name: str) -> Any:
    """A property as text: scalars as their text, lists and objects as JSON text."""
    return cast(a.properties[name].as_string(), String)


def thread_openings(conn: Connection, scope: Scope) -> ThreadRecords:
    """Every thread opened in the scope (bots' too: the domain decides), in no set order."""
    query = (
        select(
            a.platform,
            a.kind,
            a.target_type,
            a.target_id,
            a.source_id,
            a.actor_member_id,
            _moment_column(),
            a.properties,
        )
        .where(a.kind.in_(OPENING_KINDS), a.target_id.is_not(None), *_in_scope(scope))
        .execution_options(yield_per=STREAM)
    )
    records = ThreadRecords()
    for platform, kind, target_type, target_id, source_id, actor, raw_at, props in conn.execute(
        query
    ):
        key: ThreadKey = (platform, target_type or "", target_id)
        if key in records.keys:
            continue
        props = props if isinstance(props, dict) else {}
        if kind == "ticket.opened" and props.get("opened_on") == FORUM_TICKET:
            continue  # a help-forum post: counted once, as its own thread on its platform
        opening = ThreadOpened(
            key=key,
            kind=kind,
            opened_at=_moment(raw_at),
            opener=actor,
            title=_text(props.get("title")),
            tags=_names(props.get("tags")),
            labels=_names(props.get("labels")),
            category=_text(props.get("category")),
            views=_number(props.get("views")),
            recorded_reactions=(_number(props.get("like_count")) or 0)
            + _reaction_total(props.get("reactions")),
        )
        records.openings.append(opening)
        records.keys[key] = opening
        records.posts[(platform, source_id)] = key
        post_id = props.get("post_id")
        if post_id is not None and not isinstance(post_id, bool):
            records.posts[(platform, str(post_id))] = key
    return records


def thread_events(conn: Connection, scope: Scope, threads: ThreadRecords) -> Iterator[ThreadEvent]:
    """Replies, resolutions and reactions of ``threads``, whenever they happened.

    A reply's thread is its target; a message posted in a channel whose id is a thread's is a
    reply in that thread (Discord threads are channels), and so is a message posted on a
    ticket. An accepted answer's thread is its ``question_id``. A reaction belongs to a thread
    when it targets the opening post.
    """
    # Every thread's id, not only the scope's: a time bound would make this an index walk.
    thread_channels = select(a.target_id).where(a.kind == "thread.started").scalar_subquery()
    other_replies = tuple(k for k in REPLY_KINDS if k != "message.posted")
    conditions = [
        or_(
            a.kind.in_(other_replies + RESOLUTION_KINDS + (REACTION_KIND,)),
            and_(
                a.kind == "message.posted",
                or_(a.target_type == "ticket", a.target_id.in_(thread_channels)),
            ),
        ),
        a.target_id.is_not(None),
    ]
    if scope.platform is not None:
        conditions.append(a.platform == scope.platform)
    query = (
        select(
            a.kind,
            a.platform,
            a.target_type,
            a.target_id,
            a.actor_member_id,
            _moment_column(),
            case((a.kind == "answer.accepted", _prop("question_id")), else_=literal(None, String)),
        )
        .where(*conditions)
        .execution_options(yield_per=STREAM)
    )
    keys, posts = threads.keys, threads.posts
    resolutions = frozenset(RESOLUTION_KINDS)
    for kind, platform, target_type, target_id, actor, raw_at, question_id in conn.execute(query):
        if kind == REACTION_KIND:
            key = posts.get((platform, target_id))
            if key is not None:
                yield ThreadReaction(key, actor)
            continue
        if kind == "answer.accepted":
            key = (platform, target_type or "", question_id or "")
            if key in keys:
                yield ThreadResolved(key, _moment(raw_at))
            continue
        key = (platform, "thread" if target_type == "channel" else target_type or "", target_id)
        if key not in keys:
            continue
        if kind in resolutions:
            yield ThreadResolved(key, _moment(raw_at))
        else:
            yield ThreadReply(key, actor, _moment(raw_at))


# -- members and contributors --------------------------------------------------------------


def member_activity(conn: Connection, start: datetime, until: datetime) -> Iterator[MemberActivity]:
    """Each member's activity in ``[start, until)``, per platform and week-within-a-month.

    Every platform, bots and staff included (the domain decides). One range query per part
    of a week within one month (see :func:`week_month_ranges`).
    """
    for month, monday, since, before in week_month_ranges(start, until):
        query = (
            select(a.actor_member_id, a.platform, func.min(_moment_column()), func.count())
            .where(a.actor_member_id.is_not(None), a.occurred_at >= since, a.occurred_at < before)
            .group_by(a.actor_member_id, a.platform)
        )
        for member_id, platform, first_at, count in conn.execute(query):
            yield MemberActivity(member_id, platform, month, monday, _moment(first_at), count)


def kind_months(
    conn: Connection, kinds: Iterable[str], start: datetime, since: datetime, until: datetime
) -> Iterator[KindMonth]:
    """Per member, platform, kind and month: activities of ``kinds`` in ``[start, until)``.

    ``in_period`` counts those at or after ``since``. Every platform; the domain filters.
    One range query per month.
    """
    wanted = sorted(set(kinds))
    in_period = func.sum(case((a.occurred_at >= since, 1), else_=0))
    for month, begin, before in month_ranges(start, until):
        query = (
            select(
                a.actor_member_id,
                a.platform,
                a.kind,
                func.min(_moment_column()),
                func.count(),
                in_period,
            )
            .where(
                a.kind.in_(wanted),
                a.actor_member_id.is_not(None),
                a.occurred_at >= begin,
                a.occurred_at < before,
            )
            .group_by(a.actor_member_id, a.platform, a.kind)
        )
        for member_id, platform, kind, first_at, count, inside in conn.execute(query):
            yield KindMonth(member_id, platform, kind, month, _moment(first_at), count, int(inside))


# -- activity ---------------------------------------------------------------------------------


def hourly_activity(conn: Connection, scope: Scope) -> Iterator[HourCount]:
    """Activities per UTC hour and platform in the scope (bots left out unless included)."""
    hour = hour_key(a.occurred_at)
    query = (
        select(hour, a.platform, func.count())
        .where(*_in_scope(scope), *_not_bots(scope))
        .group_by(hour, a.platform)
    )
    for hour_text, platform, count in conn.execute(query):
        moment = datetime.fromisoformat(f"{hour_text}:00:00+00:00")
        yield HourCount(platform, moment, count)


def channel_counts(conn: Connection, scope: Scope) -> Iterator[TopicCount]:
    """Messages and threads per channel name in the scope."""
    channel = a.properties["channel"].as_string()
    query = (
        select(channel, func.count())
        .where(
            a.kind.in_(CHANNEL_KINDS),
            *_in_scope(scope),
            *_not_bots(scope),
        )
        .group_by(channel)
    )
    for name, count in conn.execute(query):
        if isinstance(name, str) and name:
            yield TopicCount("channels", name, count)


# -- surveys -------------------------------------------------------------------------------


def nps_answers(conn: Connection, since: datetime, until: datetime) -> Iterator[NpsAnswer]:
    """The NPS survey answers given in ``[since, until)``."""
    n = nps_responses.c
    query = (
        select(n.score, n.answered_at, n.member_id)
        .where(n.answered_at >= since, n.answered_at < until)
        .order_by(n.answered_at, n.id)
    )
    for score, answered_at, member_id in conn.execute(query):
        yield NpsAnswer(score, answered_at, member_id)


def ticket_ratings(conn: Connection, scope: Scope) -> Iterator[TicketRating]:
    """The ratings of support tickets closed in the scope's period. Tickets are workflow
    records on the ``hearth`` platform: a scope limited to another platform has none."""
    if scope.platform not in (None, TICKET_PLATFORM):
        return
    t = tickets.c
    query = (
        select(t.rating, t.closed_at, t.member_id)
        .where(t.rating.is_not(None), t.closed_at >= scope.since, t.closed_at < scope.until)
        .order_by(t.closed_at, t.id)
    )
    for rating, closed_at, member_id in conn.execute(query):
        yield TicketRating(int(rating), _moment(closed_at), member_id)
