"""Reads for the staff dashboard and the JSON API: the ledger's version, platform-goal rows,
pages of members and activities."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from hearth.store.tables import (
    activities,
    audit_log,
    derivation_state,
    identities,
    members,
    nps_responses,
)


def ledger_version(conn: Connection) -> tuple[int, ...]:
    """Changes whenever a figure of the dashboard can change.

    New activities raise the largest activity id; merges, links, unmerges, flags and erasures
    are audited (a new audit row); NPS answers get a new id. Each is a lookup of the largest
    primary key, which both databases answer from the index without a scan. The funnel's tier
    step reads what the rules engine derived, which follows the ledger a moment later (or is
    derived again under a new playbook): its generation and how far it has folded count too.
    """
    derived = conn.execute(
        select(derivation_state.c.generation, derivation_state.c.folded_max_id)
    ).first()
    generation, folded = derived if derived is not None else (0, 0)
    return (
        int(conn.scalar(select(func.max(activities.c.id))) or 0),
        int(conn.scalar(select(func.max(audit_log.c.id))) or 0),
        int(conn.scalar(select(func.max(nps_responses.c.id))) or 0),
        int(generation or 0),
        int(folded or 0),
    )


def _day_key(conn: Connection) -> Any:
    """The UTC day of ``occurred_at`` as ``YYYY-MM-DD`` text, computed by the database."""
    if conn.dialect.name == "sqlite":  # stored as naive UTC text: 'YYYY-MM-DD HH:MM:SS...'
        return func.substr(activities.c.occurred_at, 1, 10)
    return func.to_char(func.timezone("UTC", activities.c.occurred_at), "YYYY-MM-DD")


def _goal_filter(
    query: Any,
    since: datetime,
    until: datetime,
    platform: str | None,
    kinds: Iterable[str] | None,
    bots: Iterable[int],
) -> Any:
    query = query.where(activities.c.occurred_at >= since, activities.c.occurred_at < until)
    if platform is not None:
        query = query.where(activities.c.platform == platform)
    if kinds is not None:
        query = query.where(activities.c.kind.in_(sorted(kinds)))
    bot_ids = sorted(bots)
    if bot_ids:
        query = query.where(
            activities.c.actor_member_id.is_(None) | activities.c.actor_member_id.not_in(bot_ids)
        )
    return query


def goal_day_counts(
    conn: Connection,
    since: datetime,
    until: datetime,
    *,
    platform: str | None,
    kinds: Iterable[str] | None,
    bots: Iterable[int] = (),
    distinct_members: bool = False,
) -> list[tuple[str, int]]:
    """Per UTC day: the activities, or the distinct acting members, in the period."""
    day = _day_key(conn).label("day")
    counted = (
        func.count(func.distinct(activities.c.actor_member_id))
        if distinct_members
        else func.count()
    )
    query = _goal_filter(select(day, counted), since, until, platform, kinds, bots).group_by(day)
    return [(str(d), int(n)) for d, n in conn.execute(query)]


def goal_day_members(
    conn: Connection,
    since: datetime,
    until: datetime,
    *,
    platform: str | None,
    kinds: Iterable[str] | None,
    bots: Iterable[int] = (),
) -> list[tuple[str, int]]:
    """The distinct ``(UTC day, acting member)`` pairs in the period."""
    day = _day_key(conn).label("day")
    query = _goal_filter(
        select(day, activities.c.actor_member_id).distinct(), since, until, platform, kinds, bots
    ).where(activities.c.actor_member_id.is_not(None))
    return [(str(d), int(m)) for d, m in conn.execute(query)]


def goal_rows(
    conn: Connection,
    since: datetime,
    until: datetime,
    *,
    platform: str | None,
    kinds: Iterable[str] | None,
    bots: Iterable[int] = (),
) -> Iterator[Any]:
    """``(occurred_at, platform, target_type, properties)`` of matching activities."""
    query = _goal_filter(
        select(
            activities.c.occurred_at,
            activities.c.platform,
            activities.c.target_type,
            activities.c.properties,
        ),
        since,
        until,
        platform,
        kinds,
        bots,
    )
    yield from conn.execution_options(yield_per=5000).execute(query)


def member_page(conn: Connection, *, after: int, limit: int) -> list[dict[str, Any]]:
    """Live members with id > ``after``, by id, with their identities and activity count."""
    rows = conn.execute(
        select(
            members.c.id,
            members.c.display_name,
            members.c.is_bot,
            members.c.is_staff,
            members.c.created_at,
        )
        .where(members.c.id > after, members.c.merged_into.is_(None), members.c.erased_at.is_(None))
        .order_by(members.c.id)
        .limit(limit)
    ).all()
    ids = [row.id for row in rows]
    accounts: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    counts: dict[int, int] = {}
    if ids:
        for ident in conn.execute(
            select(
                identities.c.member_id,
                identities.c.platform,
                identities.c.external_id,
                identities.c.handle,
            )
            .where(identities.c.member_id.in_(ids))
            .order_by(identities.c.id)
        ):
            accounts[ident.member_id].append(
                {
                    "platform": ident.platform,
                    "external_id": ident.external_id,
                    "handle": ident.handle,
                }
            )
        counts = dict(
            conn.execute(
                select(activities.c.actor_member_id, func.count())
                .where(activities.c.actor_member_id.in_(ids))
                .group_by(activities.c.actor_member_id)
            ).all()
        )
    return [
        {
            "id": row.id,
            "display_name": row.display_name,
            "is_bot": row.is_bot,
            "is_staff": row.is_staff,
            "created_at": row.created_at,
            "identities": accounts[row.id],
            "activities": int(counts.get(row.id, 0)),
        }
        for row in rows
    ]


def activity_page(
    conn: Connection,
    *,
    after: int,
    limit: int,
    platform: str | None = None,
    kind: str | None = None,
    member_id: int | None = None,
) -> list[dict[str, Any]]:
    """Activities with id > ``after``, by id (keyset pagination: stable while rows arrive)."""
    query = (
        select(
            activities.c.id,
            activities.c.platform,
            activities.c.source_id,
            activities.c.kind,
            activities.c.occurred_at,
            activities.c.actor_member_id,
            activities.c.target_type,
            activities.c.target_id,
            activities.c.target_owner_member_id,
            activities.c.properties,
        )
        .where(activities.c.id > after)
        .order_by(activities.c.id)
        .limit(limit)
    )
    if platform is not None:
        query = query.where(activities.c.platform == platform)
    if kind is not None:
        query = query.where(activities.c.kind == kind)
    if member_id is not None:
        query = query.where(activities.c.actor_member_id == member_id)
    return [dict(row) for row in conn.execute(query).mappings()]
