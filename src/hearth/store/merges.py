"""Members merged into one another: which member rows are one person.

Staff merge a member into another when two of them turn out to be one person
(``actions.members.do_merge``). The merge moves the identities and the activities, and leaves
``merged_into`` on the member it emptied; everything else that names a member (tickets,
moderation cases, appeals, votes, the web account) keeps the id it was written with, so that an
unmerge has nothing to move back. Reads and permission checks about a person therefore go
through the merge chain, with these queries, on SQLite and PostgreSQL alike:

- :func:`survivor`: the member a chain of merges ends at (the live one), and
  :func:`survivors_of` for many at once;
- :func:`person_ids`: every member that is the same person as a given one (a ``SELECT`` to use
  in ``column.in_(...)``), whichever member of the chain is given;
- :func:`same_person`: whether two member ids are one person (for "is this the caller's own
  ticket?");
- :func:`absorbed` and :func:`survivors`: the members merged into one, and the whole map.

A chain is followed with recursive CTEs whose ``UNION`` drops rows already seen, so even a
cycle (which merging never makes) ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import CTE, Connection, Select, select

from hearth.store.tables import members


def person_ids(member_id: int) -> Select[Any]:
    """The ids of every member that is one person with ``member_id``: the member its merges
    end at and all members merged into that one, directly or not (``member_id`` among them)."""
    up = _chain_up(member_id)
    down = (
        select(members.c.id)
        .where(members.c.id.in_(select(up.c.id).where(up.c.merged_into.is_(None))))
        .cte("merged_down", recursive=True)
    )
    down = down.union(select(members.c.id).join(down, members.c.merged_into == down.c.id))
    return select(down.c.id)


def _chain_up(member_id: int) -> CTE:
    """``member_id`` and each member it was merged into, up the chain: ``(id, merged_into)``;
    the row whose ``merged_into`` is null is where the chain ends."""
    up = (
        select(members.c.id, members.c.merged_into)
        .where(members.c.id == member_id)
        .cte("merged_up", recursive=True)
    )
    return up.union(
        select(members.c.id, members.c.merged_into).join(up, members.c.id == up.c.merged_into)
    )


def survivor(conn: Connection, member_id: int) -> int:
    """The member that ``member_id`` was merged into at the end of its chain (itself when it
    was not merged, or when there is no such member)."""
    up = _chain_up(member_id)
    found = conn.scalar(select(up.c.id).where(up.c.merged_into.is_(None)))
    return member_id if found is None else int(found)


def survivors_of(conn: Connection, member_ids: Iterable[int]) -> dict[int, int]:
    """:func:`survivor` of each of ``member_ids``, in one query (ids of no member map to
    themselves)."""
    wanted = set(member_ids)
    if not wanted:
        return {}
    up = (
        select(
            members.c.id.label("start"),
            members.c.id.label("id"),
            members.c.merged_into.label("merged_into"),
        )
        .where(members.c.id.in_(wanted))
        .cte("merged_up", recursive=True)
    )
    up = up.union(
        select(up.c.start, members.c.id, members.c.merged_into).join(
            up, members.c.id == up.c.merged_into
        )
    )
    found = {wanted_id: wanted_id for wanted_id in wanted}
    for start, end in conn.execute(select(up.c.start, up.c.id).where(up.c.merged_into.is_(None))):
        found[int(start)] = int(end)
    return found


def same_person(conn: Connection, a: int | None, b: int | None) -> bool:
    """Whether members ``a`` and ``b`` are one person (False when either is None)."""
    if a is None or b is None:
        return False
    if a == b:
        return True
    return survivor(conn, a) == survivor(conn, b)


def absorbed(conn: Connection, member_id: int) -> list[int]:
    """The other members that are one person with ``member_id``: for a live member, those
    merged into it, directly or through other merged members."""
    return sorted(int(i) for i in conn.scalars(person_ids(member_id)) if i != member_id)


def person_of(survivors: dict[int, int], member_id: int | None) -> int | None:
    """The member ``member_id`` is now, by a map from :func:`survivors` (None stays None: a
    row that names nobody, an erased member's)."""
    return None if member_id is None else survivors.get(member_id, member_id)


def survivors(conn: Connection) -> dict[int, int]:
    """Each merged member's id -> the member at the end of its chain of merges."""
    merged_into = dict(
        conn.execute(
            select(members.c.id, members.c.merged_into).where(members.c.merged_into.is_not(None))
        ).all()
    )
    found = {}
    for member_id in merged_into:
        at, steps = member_id, 0
        while at in merged_into and steps <= len(merged_into):  # bounded, even if cyclic
            at, steps = merged_into[at], steps + 1
        found[member_id] = at
    return found
