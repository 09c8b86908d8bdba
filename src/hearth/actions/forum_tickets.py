"""Help-forum posts as support tickets.

A post (a thread) in one of the playbook's ``support.help_forums`` is a ticket too: the asker
is its member, the category comes from the post's tags (a tag naming a category) or the
playbook's ``support.help_category`` (else the first category), and the post's thread id is
the ticket's source key (``tickets.channel_id``, unique): the live event, the opening message
and the catch-up after downtime all arrive at the same ticket, opened once.

Unlike a private ticket, a forum post is public: anyone may answer it, so every message in
the post is filed in the transcript, and the first one by someone other than the asker is the
first response (recorded against the category's target, as for any ticket). Marking the post
solved (``/solved``, by the asker or staff) closes the ticket as ``solved``. The scheduled
sweep reminds, alerts, warns and closes these tickets like any other.

The bot is the only caller (it has seen the post and its messages): these are ``do_*``
functions over trusted input. The ledger activities are the tickets' own (``ticket.opened``
with ``opened_on: forum`` and the ``thread`` id); the health metrics count a forum post once,
as its Discord thread, not again as a ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from hearth.actions import audit
from hearth.actions.context import Caller
from hearth.actions.tickets import MAX_SUBJECT, Added, _add_message, _close, _record, support_of
from hearth.domain.playbook import Playbook
from hearth.domain.tickets import due_at
from hearth.store import merges
from hearth.store.tables import ticket_messages, tickets

OPENED_ON = "forum"


@dataclass(frozen=True, slots=True)
class ForumPost:
    """A help-forum post as the bot saw it."""

    thread_id: str
    title: str
    opened_at: datetime
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ForumTicket:
    id: int
    new: bool
    state: str
    due_at: datetime


def _existing(conn: Connection, thread_id: str) -> Any:
    return conn.execute(select(tickets).where(tickets.c.channel_id == thread_id)).first()


def _ensure(conn: Connection, playbook: Playbook, asker: int, post: ForumPost) -> tuple[Any, bool]:
    """The post's ticket, opened now when it has none."""
    row = _existing(conn, post.thread_id)
    if row is not None:
        return row, False
    support = support_of(playbook)
    category = support.forum_category(post.tags)
    at = post.opened_at.astimezone(UTC)
    due = due_at(support, category, at)
    subject = " ".join(post.title.split())[:MAX_SUBJECT] or post.thread_id
    ticket_id = conn.execute(
        insert(tickets)
        .values(
            member_id=asker,
            category=category.key,
            subject=subject,
            state="open",
            opened_on=OPENED_ON,
            channel_id=post.thread_id,
            opened_at=at,
            due_at=due,
            last_activity_at=at,
        )
        .returning(tickets.c.id)
    ).scalar_one()
    row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
    properties = {
        "category": category.key,
        "opened_on": OPENED_ON,
        "due_at": due.isoformat(),
        "thread": post.thread_id,
    }
    _record(conn, row, "ticket.opened", asker, at, properties)
    return row, True


def _in_transaction(engine: Engine, work: Any) -> Any:
    """Run ``work(conn)`` in one transaction; once more if another process opened the same
    post's ticket meanwhile (the unique thread id refused the second)."""
    try:
        with engine.begin() as conn:
            return work(conn)
    except IntegrityError:
        with engine.begin() as conn:
            return work(conn)


def do_open_forum_ticket(
    engine: Engine, playbook: Playbook, asker: int, post: ForumPost
) -> ForumTicket:
    """The ticket of a help-forum post, opened when new (``asker``: the poster's member)."""

    def work(conn: Connection) -> ForumTicket:
        row, new = _ensure(conn, playbook, asker, post)
        return ForumTicket(int(row.id), new, str(row.state), row.due_at)

    result: ForumTicket = _in_transaction(engine, work)
    return result


def do_file_forum_message(
    engine: Engine,
    playbook: Playbook,
    asker: int,
    post: ForumPost,
    author: Caller,
    body: str,
    *,
    message_id: str,
    author_name: str | None = None,
    at: datetime | None = None,
) -> Added:
    """File a message of a help-forum post in its ticket's transcript (the ticket is opened
    first when new). Anyone may write in a forum post; the first message by someone other
    than the asker is the first response. Filing the same message twice changes nothing."""
    when = (at or datetime.now(UTC)).astimezone(UTC)

    def work(conn: Connection) -> Added:
        row, _new = _ensure(conn, playbook, asker, post)
        return _add_message(conn, author, row, body or "…", message_id, author_name, when)

    result: Added = _in_transaction(engine, work)
    return result


def do_solve_forum_ticket(
    engine: Engine,
    playbook: Playbook,
    caller: Caller,
    asker: int,
    post: ForumPost,
    *,
    at: datetime | None = None,
) -> int | None:
    """The asker or staff marked the post solved: its ticket is closed as ``solved``.
    Returns the ticket's id, None when it was closed already. The bot checked who may."""
    when = (at or datetime.now(UTC)).astimezone(UTC)

    def work(conn: Connection) -> int | None:
        row, _new = _ensure(conn, playbook, asker, post)
        if row.state == "closed":
            return None
        by_staff = not merges.same_person(conn, caller.member_id, row.member_id)
        _close(conn, row, caller.member_id, "solved", by_staff, when)
        if by_staff:
            audit.record(conn, caller, "ticket.closed", "ticket", row.id, reason="solved")
        return int(row.id)

    result: int | None = _in_transaction(engine, work)
    return result


def access_forum_marks(engine: Engine, thread_ids: list[str]) -> dict[str, str | None]:
    """For the help-forum posts among ``thread_ids`` that have a ticket: the id of the latest
    message filed (None: none yet). The bot's catch-up reads each post's history after it."""
    if not thread_ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(tickets.c.id, tickets.c.channel_id).where(
                tickets.c.channel_id.in_(thread_ids), tickets.c.opened_on == OPENED_ON
            )
        ).all()
        marks: dict[str, str | None] = {}
        for row in rows:
            sources = conn.scalars(
                select(ticket_messages.c.source_id).where(
                    ticket_messages.c.ticket_id == row.id,
                    ticket_messages.c.source_id.is_not(None),
                )
            ).all()
            numeric = [int(s) for s in sources if s and s.isdigit()]
            marks[str(row.channel_id)] = str(max(numeric)) if numeric else None
    return marks
