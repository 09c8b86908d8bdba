"""Reads of support tickets, each with its permission check (``access_*``).

A ticket and its transcript are shown to the member who opened it and to staff, to nobody
else: for anyone else a ticket does not exist (:class:`NotFound`, the same answer as for an id
that was never used), so ids cannot be probed either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import aliased

from hearth.actions.context import Caller, require_staff
from hearth.actions.tickets import support_of, times_of
from hearth.domain.metrics.common import percentile
from hearth.domain.playbook import Playbook
from hearth.domain.tickets import TargetStatus, age_bucket, target_status
from hearth.errors import NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import members, ticket_messages, tickets


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket as the queue, "my tickets" and the CLI show it."""

    id: int
    member_id: int
    member_name: str
    category: str
    category_name: str
    subject: str
    state: str
    opened_on: str
    channel_id: str | None
    opened_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    assignee_id: int | None
    assignee_name: str | None
    closed_at: datetime | None
    close_reason: str | None
    rating: int | None
    target: TargetStatus
    age: str

    def as_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in ((f, getattr(self, f)) for f in self.__slots__)
        }


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    author_id: int | None
    author_name: str
    staff: bool
    body: str
    at: datetime


def _query() -> Any:
    opener = aliased(members)
    assignee = aliased(members)
    return (
        select(
            tickets,
            opener.c.display_name.label("member_name"),
            assignee.c.display_name.label("assignee_name"),
        )
        .select_from(
            tickets.join(opener, opener.c.id == tickets.c.member_id).outerjoin(
                assignee, assignee.c.id == tickets.c.assignee_id
            )
        )
        .order_by(tickets.c.opened_at.desc(), tickets.c.id.desc())
    )


def _views(
    conn: Connection, rows: list[Any], playbook: Playbook, now: datetime
) -> list[TicketView]:
    """The views of ticket rows. A ticket's member is the one it was opened by, or, when staff
    have merged that member into another since, the member the merge kept (with its name)."""
    now_of = merges.survivors_of(conn, {int(r.member_id) for r in rows})
    moved = {opener: now for opener, now in now_of.items() if opener != now}
    names: dict[int, str] = {}
    if moved:
        names = dict(
            conn.execute(
                select(members.c.id, members.c.display_name).where(
                    members.c.id.in_(set(moved.values()))
                )
            ).all()
        )
    return [_view(r, playbook, now, moved.get(int(r.member_id)), names) for r in rows]


def _view(
    row: Any, playbook: Playbook, now: datetime, moved_to: int | None, names: dict[int, str]
) -> TicketView:
    support = playbook.support
    category = support.category(row.category) if support else None
    remind = support.remind_before if support else None
    return TicketView(
        id=int(row.id),
        member_id=int(row.member_id) if moved_to is None else moved_to,
        member_name=row.member_name if moved_to is None else names.get(moved_to, row.member_name),
        category=row.category,
        category_name=category.name if category else row.category,
        subject=row.subject,
        state=row.state,
        opened_on=row.opened_on,
        channel_id=row.channel_id,
        opened_at=row.opened_at,
        due_at=row.due_at,
        first_response_at=row.first_response_at,
        assignee_id=row.assignee_id,
        assignee_name=row.assignee_name,
        closed_at=row.closed_at,
        close_reason=row.close_reason,
        rating=row.rating,
        target=target_status(times_of(row), now, remind or timedelta(0)),
        age=age_bucket(row.opened_at, now),
    )


def access_ticket(
    engine: Engine, caller: Caller, playbook: Playbook, ticket_id: int, now: datetime | None = None
) -> TicketView:
    """One ticket, for its member or staff."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        row = conn.execute(_query().where(tickets.c.id == ticket_id)).first()
        if row is None or not (
            caller.is_staff or merges.same_person(conn, caller.member_id, row.member_id)
        ):
            raise NotFound(_("There is no ticket {id}.").format(id=ticket_id))
        return _views(conn, [row], playbook, now)[0]


def access_transcript(engine: Engine, caller: Caller, ticket_id: int) -> list[TranscriptLine]:
    """A ticket's messages, oldest first, for its member or staff."""
    with engine.connect() as conn:
        owner = conn.scalar(select(tickets.c.member_id).where(tickets.c.id == ticket_id))
        if owner is None or not (
            caller.is_staff or merges.same_person(conn, caller.member_id, owner)
        ):
            raise NotFound(_("There is no ticket {id}.").format(id=ticket_id))
        rows = conn.execute(
            select(ticket_messages)
            .where(ticket_messages.c.ticket_id == ticket_id)
            .order_by(ticket_messages.c.at, ticket_messages.c.id)
        ).all()
    return [TranscriptLine(r.author_id, r.author_name, r.staff, r.body, r.at) for r in rows]


def access_my_tickets(
    engine: Engine, caller: Caller, playbook: Playbook, now: datetime | None = None
) -> list[TicketView]:
    """The calling member's own tickets, newest first (nobody's when the caller is no member)."""
    if caller.member_id is None:
        return []
    return access_member_tickets(engine, caller, playbook, caller.member_id, now)


def access_member_tickets(
    engine: Engine, caller: Caller, playbook: Playbook, member_id: int, now: datetime | None = None
) -> list[TicketView]:
    """The tickets of member ``member_id`` (and of the members merged into it), newest first:
    for staff and for the member themselves."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        if not caller.is_staff and not merges.same_person(conn, caller.member_id, member_id):
            raise PermissionDenied(_("Only staff or the member themselves may see this."))
        rows = conn.execute(
            _query().where(tickets.c.member_id.in_(merges.person_ids(member_id)))
        ).all()
        return _views(conn, list(rows), playbook, now)


def access_ticket_queue(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    *,
    state: str | None = "open",
    category: str | None = None,
    age: str | None = None,
    target: str | None = None,
    limit: int = 500,
    now: datetime | None = None,
) -> list[TicketView]:
    """The staff queue, filtered by state, category, age bucket and target status; the most
    urgent first (overdue, then due soon, then by due time)."""
    require_staff(caller)
    now = now or datetime.now(UTC)
    query = _query()
    if state:
        query = query.where(tickets.c.state == state)
    if category:
        query = query.where(tickets.c.category == category)
    with engine.connect() as conn:
        views = _views(conn, list(conn.execute(query.limit(limit * 4))), playbook, now)
    views = [v for v in views if (not age or v.age == age) and (not target or v.target == target)]
    urgency = {"overdue": 0, "due_soon": 1, "pending": 2, "missed": 3, "met": 4}
    views.sort(key=lambda v: (v.state != "open", urgency[v.target], v.due_at))
    return views[:limit]


def access_ticket_channel(engine: Engine, channel_id: str) -> tuple[int, int, str] | None:
    """``(ticket id, member id, state)`` of the ticket living in chat thread ``channel_id``
    (the bot uses it to file thread messages; it tells nothing about the content)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(tickets.c.id, tickets.c.member_id, tickets.c.state).where(
                tickets.c.channel_id == channel_id
            )
        ).first()
    return (int(row.id), int(row.member_id), str(row.state)) if row else None


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """Figures over tickets: how many, how fast answered, how many solved, how satisfied."""

    tickets: int
    open: int
    responded: int
    met: int
    median_response_hours: float | None
    resolved: int
    ratings: int
    average_rating: float | None


def access_ticket_figures(
    engine: Engine, caller: Caller, playbook: Playbook, since: datetime | None = None
) -> QueueFigures:
    """Staff: the figures of tickets opened since ``since`` (all by default)."""
    require_staff(caller)
    support_of(playbook)
    query = select(
        tickets.c.state,
        tickets.c.opened_at,
        tickets.c.due_at,
        tickets.c.first_response_at,
        tickets.c.rating,
    )
    if since is not None:
        query = query.where(tickets.c.opened_at >= since)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    hours = sorted(
        (r.first_response_at - r.opened_at).total_seconds() / 3600
        for r in rows
        if r.first_response_at is not None
    )
    ratings = [r.rating for r in rows if r.rating is not None]
    return QueueFigures(
        tickets=len(rows),
        open=sum(1 for r in rows if r.state == "open"),
        responded=len(hours),
        met=sum(
            1 for r in rows if r.first_response_at is not None and r.first_response_at <= r.due_at
        ),
        median_response_hours=percentile(hours, 0.5, presorted=True),
        resolved=sum(1 for r in rows if r.state == "closed"),
        ratings=len(ratings),
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
    )
