"""Support tickets: open, answer, claim, hand over, close, reopen, rate — and the job's sweep.

Every transition is one transaction that updates the ticket and writes a ledger activity on
the platform ``hearth`` (``ticket.*`` kinds; target ``ticket``/its id, target owner the member
who opened it), so the health metrics see tickets as threads (time to first response,
resolution) and the audit log names staff acts. Who may do what:

- the member who opened a ticket, and staff: add messages, close, reopen;
- staff only: claim and hand over; the member only: rate (1-5) once it is closed;
- nobody else sees or touches a ticket: to them it does not exist (:class:`NotFound`).

Reads are in :mod:`hearth.actions.ticket_reads`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from hearth.actions import audit
from hearth.actions.context import Caller, require_staff
from hearth.domain.playbook import Playbook
from hearth.domain.playbook.programs import Support
from hearth.domain.tickets import CLOSE_REASONS, TicketTimes, due_at, next_steps
from hearth.errors import Conflict, InputError, NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import activities, members, ticket_messages, tickets

PLATFORM = "hearth"
MAX_SUBJECT = 200
MAX_BODY = 4000


def support_of(playbook: Playbook) -> Support:
    """The playbook's ``support`` section; tickets need one."""
    if playbook.support is None:
        raise InputError(_("This community's playbook has no support section: no tickets."))
    return playbook.support


def _row(conn: Connection, ticket_id: int, caller: Caller, *, lock: bool = False) -> Any:
    """The ticket, if the caller may see it (its member or staff); else NotFound."""
    query = select(tickets).where(tickets.c.id == ticket_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None or not (
        caller.is_staff or merges.same_person(conn, caller.member_id, row.member_id)
    ):
        raise NotFound(_("There is no ticket {id}.").format(id=ticket_id))
    return row


def _record(
    conn: Connection,
    ticket: Any,
    kind: str,
    actor: int | None,
    at: datetime,
    properties: dict[str, Any],
    suffix: str | None = None,
) -> None:
    conn.execute(
        insert(activities).values(
            platform=PLATFORM,
            source_id=f"ticket:{ticket.id}:{suffix or kind.split('.', 1)[1]}",
            kind=kind,
            occurred_at=at,
            actor_member_id=actor,
            target_type="ticket",
            target_id=str(ticket.id),
            target_owner_member_id=ticket.member_id,
            properties=properties,
        )
    )


def _once() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True, slots=True)
class Opened:
    id: int
    due_at: datetime


def check_open_ticket(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    category: str,
    subject: str,
    body: str | None = None,
    *,
    opened_on: str = "web",
    channel_id: str | None = None,
    author_name: str | None = None,
    at: datetime | None = None,
) -> Opened:
    """Open a ticket for the calling member (validated: the category exists, a subject)."""
    support = support_of(playbook)
    found = support.category(category)
    if found is None:
        known = ", ".join(c.key for c in support.categories)
        raise InputError(
            _("No ticket category '{key}'; choose one of: {known}.").format(
                key=category, known=known
            )
        )
    subject = " ".join(subject.split())
    if not subject or len(subject) > MAX_SUBJECT:
        raise InputError(
            _("Say in a few words what the ticket is about (at most {n} characters).").format(
                n=MAX_SUBJECT
            )
        )
    if caller.member_id is None:
        raise PermissionDenied(_("Only members can open tickets: link your account first."))
    at = (at or datetime.now(UTC)).astimezone(UTC)
    due = due_at(support, found, at)
    with engine.begin() as conn:
        ticket_id = conn.execute(
            insert(tickets)
            .values(
                member_id=caller.member_id,
                category=found.key,
                subject=subject,
                state="open",
                opened_on=opened_on,
                channel_id=channel_id,
                opened_at=at,
                due_at=due,
                last_activity_at=at,
            )
            .returning(tickets.c.id)
        ).scalar_one()
        ticket = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
        _record(
            conn,
            ticket,
            "ticket.opened",
            caller.member_id,
            at,
            {"category": found.key, "opened_on": opened_on, "due_at": due.isoformat()},
        )
        if body and body.strip():
            _add_message(conn, caller, ticket, body, None, author_name, at)
    return Opened(int(ticket_id), due)


def do_attach_channel(engine: Engine, ticket_id: int, channel_id: str) -> None:
    """Remember the chat thread a ticket lives in (the bot, after creating it)."""
    with engine.begin() as conn:
        conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(channel_id=channel_id))


@dataclass(frozen=True, slots=True)
class Added:
    """A message added to a ticket: whether it was the first response, and how fast."""

    ticket_id: int
    first_response: bool
    response_seconds: int | None = None
    target_met: bool | None = None
    duplicate: bool = False


def _name(conn: Connection, member_id: int | None) -> str:
    if member_id is None:
        return "?"
    name = conn.scalar(select(members.c.display_name).where(members.c.id == member_id))
    return str(name or member_id)


def _add_message(
    conn: Connection,
    caller: Caller,
    ticket: Any,
    body: str,
    source_id: str | None,
    author_name: str | None,
    at: datetime,
) -> Added:
    body = body.strip()[:MAX_BODY]
    if source_id is not None and conn.scalar(
        select(ticket_messages.c.id).where(
            ticket_messages.c.ticket_id == ticket.id, ticket_messages.c.source_id == source_id
        )
    ):
        return Added(ticket.id, False, duplicate=True)
    own = merges.same_person(conn, caller.member_id, ticket.member_id)
    staff = caller.is_staff and not own
    conn.execute(
        insert(ticket_messages).values(
            ticket_id=ticket.id,
            author_id=caller.member_id,
            author_name=(author_name or _name(conn, caller.member_id))[:200],
            staff=staff,
            body=body,
            at=at,
            source_id=source_id,
        )
    )
    first = ticket.first_response_at is None and caller.member_id is not None and not own
    changes: dict[str, Any] = {"last_activity_at": max(at, ticket.last_activity_at)}
    properties: dict[str, Any] = {"first_response": first, "staff": staff, "length": len(body)}
    seconds: int | None = None
    met: bool | None = None
    if first:
        changes["first_response_at"] = at
        seconds = max(int((at - ticket.opened_at).total_seconds()), 0)
        met = at <= ticket.due_at
        properties.update(response_seconds=seconds, target_met=met)
    conn.execute(update(tickets).where(tickets.c.id == ticket.id).values(**changes))
    _record(conn, ticket, "ticket.replied", caller.member_id, at, properties, f"message:{_once()}")
    return Added(ticket.id, first, seconds, met)


def do_add_message(
    engine: Engine,
    caller: Caller,
    ticket_id: int,
    body: str,
    *,
    source_id: str | None = None,
    author_name: str | None = None,
    at: datetime | None = None,
) -> Added:
    """Add a message to the ticket's transcript (its member or staff). The first message by
    someone other than the member is the first response: its time is recorded."""
    if not body.strip():
        raise InputError(_("The message is empty."))
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        ticket = _row(conn, ticket_id, caller, lock=True)
        return _add_message(conn, caller, ticket, body, source_id, author_name, at)


def do_claim_ticket(
    engine: Engine,
    caller: Caller,
    ticket_id: int,
    assignee_id: int | None = None,
    *,
    at: datetime | None = None,
) -> int:
    """Take a ticket on (staff), or hand it over to ``assignee_id``; returns the assignee."""
    require_staff(caller)
    assignee = assignee_id if assignee_id is not None else caller.member_id
    if assignee is None:
        raise InputError(_("Say who takes the ticket on: your account has no member."))
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        ticket = _row(conn, ticket_id, caller, lock=True)
        if ticket.state != "open":
            raise Conflict(_("Ticket {id} is closed; reopen it first.").format(id=ticket_id))
        if ticket.assignee_id == assignee:
            raise Conflict(_("Ticket {id} is already theirs.").format(id=ticket_id))
        if conn.scalar(select(members.c.id).where(members.c.id == assignee)) is None:
            raise NotFound(_("There is no member {id}.").format(id=assignee))
        conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket_id)
            .values(assignee_id=assignee, claimed_at=at)
        )
        properties: dict[str, Any] = {"assignee": assignee}
        if ticket.assignee_id is not None:
            properties["from"] = int(ticket.assignee_id)
        _record(
            conn, ticket, "ticket.claimed", caller.member_id, at, properties, f"claim:{_once()}"
        )
        audit.record(conn, caller, "ticket.claimed", "ticket", ticket_id, **properties)
    return assignee


def do_close_ticket(
    engine: Engine,
    caller: Caller,
    ticket_id: int,
    reason: str | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Close a ticket (its member or staff). ``reason``: solved (default), staff or member."""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        ticket = _row(conn, ticket_id, caller, lock=True)
        own = merges.same_person(conn, caller.member_id, ticket.member_id)
        reason = reason or ("member" if own else "solved")
        if reason not in CLOSE_REASONS or reason == "inactive":
            raise InputError(_("A ticket is closed as solved, by staff or by the member."))
        _close(conn, ticket, caller.member_id, reason, caller.is_staff and not own, at)
        if caller.is_staff and not own:
            audit.record(conn, caller, "ticket.closed", "ticket", ticket_id, reason=reason)


def _close(
    conn: Connection, ticket: Any, actor: int | None, reason: str, by_staff: bool, at: datetime
) -> None:
    if ticket.state == "closed":
        raise Conflict(_("Ticket {id} is already closed.").format(id=ticket.id))
    conn.execute(
        update(tickets)
        .where(tickets.c.id == ticket.id)
        .values(state="closed", closed_at=at, close_reason=reason)
    )
    properties = {"reason": reason, "by_staff": by_staff}
    _record(conn, ticket, "ticket.closed", actor, at, properties, f"closed:{_once()}")


def do_reopen_ticket(
    engine: Engine, caller: Caller, ticket_id: int, *, at: datetime | None = None
) -> None:
    """Open a closed ticket again (its member or staff); the inactivity clock restarts."""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        ticket = _row(conn, ticket_id, caller, lock=True)
        if ticket.state != "closed":
            raise Conflict(_("Ticket {id} is open.").format(id=ticket_id))
        conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket_id)
            .values(
                state="open", closed_at=None, close_reason=None, warned_at=None, last_activity_at=at
            )
        )
        _record(conn, ticket, "ticket.reopened", caller.member_id, at, {}, f"reopened:{_once()}")


def check_rate_ticket(
    engine: Engine, caller: Caller, ticket_id: int, rating: int | str, *, at: datetime | None = None
) -> int:
    """The member rates a closed ticket, 1 (poor) to 5 (excellent), once."""
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise InputError(_("A rating is a whole number from 1 to 5."))
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        ticket = _row(conn, ticket_id, caller, lock=True)
        if not merges.same_person(conn, caller.member_id, ticket.member_id):
            raise PermissionDenied(_("Only the member who opened a ticket rates it."))
        if ticket.state != "closed":
            raise Conflict(_("A ticket is rated once it is closed."))
        if ticket.rating is not None:
            raise Conflict(_("You already rated this ticket. Thank you!"))
        conn.execute(
            update(tickets).where(tickets.c.id == ticket_id).values(rating=value, rated_at=at)
        )
        _record(conn, ticket, "ticket.rated", caller.member_id, at, {"rating": value})
    return value


# -- the scheduled job's sweep --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the job did that someone should be told: ``remind`` and ``alert`` (staff),
    ``warn`` and ``close`` (the member)."""

    step: str
    ticket_id: int
    member_id: int
    channel_id: str | None
    subject: str
    due_at: datetime


def times_of(row: Any) -> TicketTimes:
    return TicketTimes(
        state=row.state,
        opened_at=row.opened_at,
        due_at=row.due_at,
        first_response_at=row.first_response_at,
        last_activity_at=row.last_activity_at,
        reminded_at=row.reminded_at,
        alerted_at=row.alerted_at,
        warned_at=row.warned_at,
    )


def do_sweep_tickets(
    engine: Engine, playbook: Playbook, now: datetime | None = None
) -> list[Notice]:
    """Remind, alert, warn and close as :func:`hearth.domain.tickets.next_steps` says, each
    ticket in its own transaction; the marks it sets (``reminded_at``...) make every step
    happen once even when several processes sweep or the process restarts."""
    support = playbook.support
    if support is None:
        return []
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.connect() as conn:
        ids = conn.scalars(select(tickets.c.id).where(tickets.c.state == "open")).all()
    notices: list[Notice] = []
    for ticket_id in ids:
        with engine.begin() as conn:
            query = select(tickets).where(tickets.c.id == ticket_id)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = conn.execute(query).first()
            if row is None:
                continue
            for step in next_steps(times_of(row), now, support):
                _apply(conn, row, step, now)
                notices.append(
                    Notice(step, row.id, row.member_id, row.channel_id, row.subject, row.due_at)
                )
    return notices


def _apply(conn: Connection, row: Any, step: str, now: datetime) -> None:
    where = update(tickets).where(tickets.c.id == row.id)
    if step == "remind":
        conn.execute(where.values(reminded_at=now))
    elif step == "alert":
        conn.execute(where.values(alerted_at=now))
        properties = {"due_at": row.due_at.isoformat(), "category": row.category}
        _record(conn, row, "ticket.target_missed", None, now, properties)
    elif step == "warn":
        conn.execute(where.values(warned_at=now))
    elif step == "close":
        _close(conn, row, None, "inactive", False, now)
