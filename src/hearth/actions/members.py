"""Members: linking identities, merging and unmerging members, flags. Every change is audited.

A link or a merge is an *identity move*: identities leave one member for another, and the move
is recorded so it can be undone exactly. Activities carry the member ids of their actor and
target owner for fast queries; a move updates them in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from hearth.actions import audit
from hearth.actions import derive as derivation
from hearth.actions.context import Caller, require_staff
from hearth.errors import Conflict, NotFound
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import activities, identities, identity_moves, members


def live_member(conn: Connection, member_id: int) -> dict[str, Any]:
    """Member ``member_id`` as a dict; NotFound when there is none (or it was erased), Conflict
    when it was merged into another (the message names that one)."""
    row = (
        conn.execute(
            select(members).where(members.c.id == member_id, members.c.erased_at.is_(None))
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(_("There is no member {id}.").format(id=member_id))
    if row["merged_into"] is not None:
        raise Conflict(
            _("Member {id} was merged into member {target}; act on that member instead.").format(
                id=member_id, target=row["merged_into"]
            )
        )
    return dict(row)


def _move_identities(conn: Connection, identity_ids: list[int], to_member: int) -> None:
    conn.execute(
        update(identities).where(identities.c.id.in_(identity_ids)).values(member_id=to_member)
    )
    conn.execute(
        update(activities)
        .where(activities.c.actor_identity_id.in_(identity_ids))
        .values(actor_member_id=to_member)
    )
    conn.execute(
        update(activities)
        .where(activities.c.target_owner_identity_id.in_(identity_ids))
        .values(target_owner_member_id=to_member)
    )


def do_merge(
    engine: Engine, caller: Caller, source_id: int, target_id: int, reason: str | None = None
) -> int:
    """Merge member ``source_id`` into ``target_id``; returns the move's id (for unmerge)."""
    require_staff(caller)
    if source_id == target_id:
        raise Conflict(_("A member cannot be merged into itself."))
    with engine.begin() as conn:
        source = live_member(conn, source_id)
        target = live_member(conn, target_id)
        identity_ids = list(
            conn.scalars(select(identities.c.id).where(identities.c.member_id == source_id))
        )
        _move_identities(conn, identity_ids, target_id)
        conn.execute(update(members).where(members.c.id == source_id).values(merged_into=target_id))
        conn.execute(
            update(members)
            .where(members.c.id == target_id)
            .values(
                is_bot=target["is_bot"] or source["is_bot"],
                is_staff=target["is_staff"] or source["is_staff"],
            )
        )
        move_id = _record_move(conn, caller, source_id, target_id, identity_ids, True, reason)
        derivation.invalidate(conn)  # who did what changed: derive again
        audit.record(
            conn,
            caller,
            "member.merged",
            "member",
            target_id,
            source=source_id,
            identities=identity_ids,
            move=move_id,
            reason=reason,
        )
    return move_id


def do_link_identity(
    engine: Engine, caller: Caller, identity_id: int, member_id: int, reason: str | None = None
) -> int:
    """Attach one identity to ``member_id`` (proved by a login, a command or a mailmap)."""
    require_staff(caller)
    with engine.begin() as conn:
        return link_identity(conn, caller, identity_id, member_id, reason)


def link_identity(
    conn: Connection, caller: Caller, identity_id: int, member_id: int, reason: str | None = None
) -> int:
    """:func:`do_link_identity` inside the caller's transaction (for actions that link as one
    step of a larger change); the caller has checked the permission."""
    row = conn.execute(select(identities.c.member_id).where(identities.c.id == identity_id)).first()
    if row is None:
        raise NotFound(_("There is no identity {id}.").format(id=identity_id))
    live_member(conn, member_id)
    if row.member_id == member_id:
        raise Conflict(_("That identity already belongs to this member."))
    _move_identities(conn, [identity_id], member_id)
    move_id = _record_move(conn, caller, row.member_id, member_id, [identity_id], False, reason)
    derivation.invalidate(conn)  # who did what changed: derive again
    audit.record(
        conn,
        caller,
        "identity.linked",
        "member",
        member_id,
        identity=identity_id,
        previous_member=row.member_id,
        move=move_id,
        reason=reason,
    )
    return move_id


def do_unmerge(engine: Engine, caller: Caller, move_id: int) -> None:
    """Undo a merge or link: its identities go back to the member they came from."""
    require_staff(caller)
    with engine.begin() as conn:
        move = (
            conn.execute(select(identity_moves).where(identity_moves.c.id == move_id))
            .mappings()
            .first()
        )
        if move is None:
            raise NotFound(_("There is no merge or link {id}.").format(id=move_id))
        if move["undone_at"] is not None:
            raise Conflict(_("Merge {id} was already undone.").format(id=move_id))
        holder = merges.survivor(conn, move["to_member_id"])
        still_there = list(
            conn.scalars(
                select(identities.c.id).where(
                    identities.c.id.in_(move["identity_ids"]),
                    identities.c.member_id == holder,
                )
            )
        )
        if move["whole_member"]:
            conn.execute(
                update(members)
                .where(members.c.id == move["from_member_id"])
                .values(merged_into=None)
            )
        _move_identities(conn, still_there, move["from_member_id"])
        conn.execute(
            update(identity_moves)
            .where(identity_moves.c.id == move_id)
            .values(undone_at=datetime.now(UTC))
        )
        derivation.invalidate(conn)  # who did what changed: derive again
        audit.record(
            conn,
            caller,
            "member.unmerged",
            "member",
            move["from_member_id"],
            move=move_id,
            from_member=move["to_member_id"],
            identities=still_there,
        )


def do_flag(
    engine: Engine,
    caller: Caller,
    member_id: int,
    *,
    is_bot: bool | None = None,
    is_staff: bool | None = None,
) -> None:
    """Mark a member as a bot or staff (or clear the mark)."""
    require_staff(caller)
    values = {k: v for k, v in {"is_bot": is_bot, "is_staff": is_staff}.items() if v is not None}
    if not values:
        return
    with engine.begin() as conn:
        flag_in(conn, caller, member_id, values)


def flag_in(
    conn: Connection,
    caller: Caller,
    member_id: int,
    values: dict[str, bool],
    **details: Any,
) -> None:
    """Set the flags in ``values`` on a live member inside the caller's transaction: audited
    (``member.flagged``, with ``details``), and the derivations marked stale."""
    before = live_member(conn, member_id)
    conn.execute(update(members).where(members.c.id == member_id).values(values))
    derivation.invalidate(conn)  # who did what changed: derive again
    audit.record(
        conn,
        caller,
        "member.flagged",
        "member",
        member_id,
        before={k: before[k] for k in values},
        after=values,
        **details,
    )


def _record_move(
    conn: Connection,
    caller: Caller,
    from_member: int,
    to_member: int,
    identity_ids: list[int],
    whole_member: bool,
    reason: str | None,
) -> int:
    return int(
        conn.execute(
            insert(identity_moves)
            .values(
                from_member_id=from_member,
                to_member_id=to_member,
                identity_ids=identity_ids,
                whole_member=whole_member,
                reason=reason,
                done_by=caller.name,
                done_at=datetime.now(UTC),
            )
            .returning(identity_moves.c.id)
        ).scalar_one()
    )
