"""Read queries over the ledger, shared by the actions' ``access_*`` functions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, func, select

from hearth.store.tables import activities, identities, members

EXPORT_CHUNK = 1000


def live_member_ids(conn: Connection, *, after: int = 0, limit: int = EXPORT_CHUNK) -> list[int]:
    return list(
        conn.scalars(
            select(members.c.id)
            .where(
                members.c.merged_into.is_(None),
                members.c.erased_at.is_(None),
                members.c.id > after,
            )
            .order_by(members.c.id)
            .limit(limit)
        )
    )


def member_summaries(conn: Connection, member_ids: list[int]) -> list[dict[str, Any]]:
    """Members with their identities and activity counts (as actor and as target owner)."""
    rows = {
        row.id: {
            "member_id": row.id,
            "display_name": row.display_name,
            "is_bot": row.is_bot,
            "is_staff": row.is_staff,
            "identities": [],
            "activity_counts": {},
            "received_counts": {},
        }
        for row in conn.execute(
            select(members).where(members.c.id.in_(member_ids)).order_by(members.c.id)
        )
    }
    for ident in conn.execute(
        select(identities)
        .where(identities.c.member_id.in_(member_ids))
        .order_by(identities.c.platform, identities.c.id)
    ):
        rows[ident.member_id]["identities"].append(
            {
                "platform": ident.platform,
                "external_id": ident.external_id,
                "handle": ident.handle,
                "names": list(ident.names or []),
            }
        )
    for column, key in (
        (activities.c.actor_member_id, "activity_counts"),
        (activities.c.target_owner_member_id, "received_counts"),
    ):
        for member_id, kind, count in conn.execute(
            select(column, activities.c.kind, func.count())
            .where(column.in_(member_ids))
            .group_by(column, activities.c.kind)
            .order_by(column, activities.c.kind)
        ):
            rows[member_id][key][kind] = count
    return list(rows.values())


def iter_member_summaries(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every live member's summary, in id order, a chunk at a time."""
    after = 0
    while ids := live_member_ids(conn, after=after):
        yield from member_summaries(conn, ids)
        after = ids[-1]


def member_activity_totals(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """The most active live members with their activity count, most active first."""
    total = func.count(activities.c.id).label("total")
    query = (
        select(members.c.id, members.c.display_name, members.c.is_bot, members.c.is_staff, total)
        .join(activities, activities.c.actor_member_id == members.c.id, isouter=True)
        .where(members.c.merged_into.is_(None), members.c.erased_at.is_(None))
        .group_by(members.c.id, members.c.display_name, members.c.is_bot, members.c.is_staff)
        .order_by(total.desc(), members.c.id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def ledger_counts(conn: Connection) -> dict[str, int]:
    return {
        "members": conn.scalar(
            select(func.count())
            .select_from(members)
            .where(members.c.merged_into.is_(None), members.c.erased_at.is_(None))
        )
        or 0,
        "identities": conn.scalar(select(func.count()).select_from(identities)) or 0,
        "activities": conn.scalar(select(func.count()).select_from(activities)) or 0,
    }


def member_names(conn: Connection, member_ids: Iterable[int]) -> dict[int, str]:
    """Display names of ``member_ids``."""
    ids = sorted(set(member_ids))
    names: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(
            select(members.c.id, members.c.display_name).where(members.c.id.in_(chunk))
        )
        names.update({row.id: row.display_name for row in rows})
    return names
