"""Polls: staff open one with options and a closing time; members vote (changeable); the
result is computed when it closes.

Closing is durable: the closing time is in the database, and :func:`do_close_due_polls` (run by
``jobs/workflows.py`` in the bot, the web process and ``hearth poll close-due``) closes every
poll whose time has come, whoever started it and however often they restarted. Closing is a
conditional update, so two processes closing the same poll close it once.

In an anonymous poll the ledger's ``poll.voted`` does not name the option, and no interface
shows who voted for what (the vote row keeps the voter only to allow one vote each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from hearth.actions import audit
from hearth.actions.context import Caller, require_staff
from hearth.actions.ideas import member_voter, record_activity, resolve_actor
from hearth.domain import voting
from hearth.domain.activity import IdentityRef
from hearth.errors import Conflict, InputError, NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import poll_votes, polls

MAX_QUESTION = 300
MAX_OPTION = 100
MAX_OPTIONS = 10
SHORTEST = timedelta(minutes=1)
LONGEST = timedelta(days=90)
JOB = Caller(name="job:polls", is_staff=True)


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    question: str
    options: list[str]
    anonymous: bool
    created_by: str
    creator_member_id: int | None
    created_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    channel_id: str | None
    message_id: str | None
    voters: int
    results: list[voting.OptionResult] = field(default_factory=list)
    my_vote: int | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def _choices(conn: Connection, poll_id: int) -> list[int]:
    """The options chosen, one vote a person (members merged into one count once, with their
    latest vote: ``voting.one_per_person``)."""
    moved = merges.survivors(conn)
    v = poll_votes.c
    rows = conn.execute(
        select(v.member_id, v.at, v.option).where(v.poll_id == poll_id).order_by(v.id)
    )
    return [
        option
        for _poll, option in voting.one_per_person(
            (poll_id, merges.person_of(moved, r.member_id), r.at, r.option) for r in rows
        )
    ]


def _my_choice(conn: Connection, poll_id: int, member_id: int) -> int | None:
    """The member's latest vote on the poll, of all the members they are (merged)."""
    return conn.scalar(
        select(poll_votes.c.option)
        .where(
            poll_votes.c.poll_id == poll_id,
            poll_votes.c.member_id.in_(merges.person_ids(member_id)),
        )
        .order_by(poll_votes.c.at.desc(), poll_votes.c.id.desc())
        .limit(1)
    )


def _poll(conn: Connection, caller: Caller, poll_id: int, *, lock: bool = False) -> Poll:
    query = select(polls).where(polls.c.id == poll_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(_("There is no poll {id}.").format(id=poll_id))
    choices = _choices(conn, poll_id)
    mine = None
    if caller.member_id is not None:
        mine = _my_choice(conn, poll_id, caller.member_id)
    options = list(row.options)
    # The result is shown once the poll is closed (the stored one: votes cannot change after).
    results = []
    if row.closed_at is not None:
        counts = (row.results or {}).get("votes") or [0] * len(options)
        results = voting.poll_results(
            options, [i for i, n in enumerate(counts) for _vote in range(n)]
        )
    return Poll(
        id=row.id,
        question=row.question,
        options=options,
        anonymous=row.anonymous,
        created_by=row.created_by,
        creator_member_id=row.creator_member_id,
        created_at=row.created_at,
        closes_at=row.closes_at,
        closed_at=row.closed_at,
        channel_id=row.channel_id,
        message_id=row.message_id,
        voters=len(choices),
        results=results,
        my_vote=mine,
    )


def parse_options(text: str | list[str]) -> list[str]:
    """Options from a list, or from text separated by ``;`` or ``|`` (or new lines)."""
    if isinstance(text, str):
        for separator in ("|", "\n"):
            text = text.replace(separator, ";")
        items = text.split(";")
    else:
        items = text
    return [item.strip() for item in items if item and item.strip()]


def check_create_poll(
    engine: Engine,
    caller: Caller,
    question: str,
    options: str | list[str],
    closes_in: timedelta,
    *,
    anonymous: bool = False,
    creator: IdentityRef | None = None,
    at: datetime | None = None,
) -> Poll:
    """Open a poll (staff) with 2 to 10 distinct options, closing after ``closes_in``."""
    require_staff(caller)
    question = question.strip()
    if not question or len(question) > MAX_QUESTION:
        raise InputError(_("The question must have 1 to {n} characters.").format(n=MAX_QUESTION))
    choices = parse_options(options)
    if not 2 <= len(choices) <= MAX_OPTIONS:
        raise InputError(_("A poll has 2 to {n} options, separated by ';'.").format(n=MAX_OPTIONS))
    if len({c.casefold() for c in choices}) != len(choices):
        raise InputError(_("Two options are the same."))
    if any(len(c) > MAX_OPTION for c in choices):
        raise InputError(_("An option is longer than {n} characters.").format(n=MAX_OPTION))
    if not SHORTEST <= closes_in <= LONGEST:
        raise InputError(_("A poll runs between one minute and 90 days."))
    when = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        creator_id, identity_id = resolve_actor(conn, caller, creator)
        poll_id = conn.execute(
            insert(polls)
            .values(
                question=question,
                options=choices,
                anonymous=anonymous,
                created_by=caller.name,
                creator_member_id=creator_id,
                created_at=when,
                closes_at=when + closes_in,
            )
            .returning(polls.c.id)
        ).scalar_one()
        record_activity(
            conn,
            "poll.created",
            target_type="poll",
            target_id=poll_id,
            actor_member_id=creator_id,
            actor_identity_id=identity_id,
            owner_member_id=creator_id,
            properties={
                "question": question,
                "options": choices,
                "anonymous": anonymous,
                "closes_at": (when + closes_in).isoformat(),
            },
            at=when,
            source_id=f"poll:{poll_id}",
        )
        audit.record(conn, caller, "poll.created", "poll", poll_id, question=question)
        return _poll(conn, caller, poll_id)


def do_set_poll_message(
    engine: Engine, poll_id: int, channel_id: int | str, message_id: int | str
) -> None:
    """Remember the chat message that shows the poll (the results are posted under it)."""
    with engine.begin() as conn:
        conn.execute(
            update(polls)
            .where(polls.c.id == poll_id)
            .values(channel_id=str(channel_id), message_id=str(message_id))
        )


def check_poll_vote(
    engine: Engine,
    caller: Caller,
    poll_id: int,
    option: int | str,
    *,
    voter: IdentityRef | None = None,
    at: datetime | None = None,
) -> Poll:
    """Vote for option ``option`` (from 0); voting again changes the vote."""
    try:
        choice = int(option)
    except (TypeError, ValueError):
        raise InputError(_("Choose one of the poll's options.")) from None
    when = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        member_id, identity_id = resolve_actor(conn, caller, voter)
        if member_id is None:
            raise PermissionDenied(
                _(
                    "Your account is not linked to a member of the community yet: sign in "
                    "with GitHub or Discord on your account page first."
                )
            )
        row = conn.execute(select(polls).where(polls.c.id == poll_id).with_for_update()).first()
        if row is None:
            raise NotFound(_("There is no poll {id}.").format(id=poll_id))
        if row.closed_at is not None or row.closes_at <= when:
            raise Conflict(_("This poll is closed."))
        if not 0 <= choice < len(row.options):
            raise InputError(_("Choose one of the poll's options."))
        previous = _my_choice(conn, poll_id, member_id)
        if previous != choice:
            # The member's own vote is replaced, and the latest of the person's counts; votes
            # the members merged into theirs cast before stay, so an unmerge gives each member
            # their own vote back.
            conn.execute(
                poll_votes.delete().where(
                    poll_votes.c.poll_id == poll_id, poll_votes.c.member_id == member_id
                )
            )
            conn.execute(
                insert(poll_votes).values(
                    poll_id=poll_id,
                    voter=member_voter(member_id),
                    member_id=member_id,
                    option=choice,
                    at=when,
                )
            )
            record_activity(
                conn,
                "poll.voted",
                target_type="poll",
                target_id=poll_id,
                actor_member_id=member_id,
                actor_identity_id=identity_id,
                owner_member_id=row.creator_member_id,
                properties={} if row.anonymous else {"option": choice},
                at=when,
            )
        return _poll(conn, Caller(name=caller.name, member_id=member_id), poll_id)


def _close(conn: Connection, caller: Caller, poll_id: int, when: datetime) -> bool:
    options = conn.scalar(select(polls.c.options).where(polls.c.id == poll_id)) or []
    choices = _choices(conn, poll_id)
    counted = voting.poll_results(list(options), choices)
    votes = [r.votes for r in counted]
    done = conn.execute(
        update(polls)
        .where(polls.c.id == poll_id, polls.c.closed_at.is_(None))
        .values(closed_at=when, results={"votes": votes, "voters": len(choices)})
    )
    if not done.rowcount:
        return False
    record_activity(
        conn,
        "poll.closed",
        target_type="poll",
        target_id=poll_id,
        actor_member_id=caller.member_id,
        owner_member_id=None,
        properties={"votes": votes, "voters": len(choices)},
        at=when,
        source_id=f"poll:{poll_id}:closed",
    )
    return True


def do_close_poll(
    engine: Engine, caller: Caller, poll_id: int, *, at: datetime | None = None
) -> Poll:
    """Close a poll now (its creator or staff); the result is fixed from then on."""
    when = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        poll = _poll(conn, caller, poll_id, lock=True)
        mine = merges.same_person(conn, caller.member_id, poll.creator_member_id)
        if not (caller.is_staff or mine):
            raise PermissionDenied(_("Only the poll's creator or staff may close it."))
        if not _close(conn, caller, poll_id, when):
            raise Conflict(_("This poll is already closed."))
        audit.record(conn, caller, "poll.closed", "poll", poll_id)
        return _poll(conn, caller, poll_id)


def do_close_due_polls(engine: Engine, *, now: datetime | None = None) -> list[int]:
    """Close every open poll whose closing time has passed; returns their ids."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.connect() as conn:
        due = list(
            conn.scalars(
                select(polls.c.id)
                .where(polls.c.closed_at.is_(None), polls.c.closes_at <= when)
                .order_by(polls.c.closes_at)
            )
        )
    closed = []
    for poll_id in due:
        with engine.begin() as conn:
            row = conn.execute(
                select(polls.c.closes_at).where(polls.c.id == poll_id).with_for_update()
            ).first()
            if row is not None and _close(conn, JOB, poll_id, row.closes_at):
                closed.append(poll_id)
    return closed


def access_poll(engine: Engine, caller: Caller, poll_id: int) -> Poll:
    with engine.connect() as conn:
        return _poll(conn, caller, poll_id)


def access_polls(engine: Engine, caller: Caller, *, limit: int = 50) -> list[Poll]:
    """Open polls first (closing soonest first), then closed ones (latest first)."""
    with engine.connect() as conn:
        ids = list(
            conn.scalars(
                select(polls.c.id)
                .order_by(
                    polls.c.closed_at.is_not(None), polls.c.closed_at.desc(), polls.c.closes_at
                )
                .limit(limit)
            )
        )
        return [_poll(conn, caller, poll_id) for poll_id in ids]


def access_unannounced_polls(engine: Engine) -> list[Poll]:
    """Closed polls posted in a chat whose result is not posted yet."""
    with engine.connect() as conn:
        ids = list(
            conn.scalars(
                select(polls.c.id)
                .where(
                    polls.c.closed_at.is_not(None),
                    polls.c.announced_at.is_(None),
                    polls.c.channel_id.is_not(None),
                )
                .order_by(polls.c.closed_at)
            )
        )
        return [_poll(conn, Caller(name="bot"), poll_id) for poll_id in ids]


def do_mark_poll_announced(engine: Engine, poll_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(polls).where(polls.c.id == poll_id).values(announced_at=datetime.now(UTC))
        )


def result_rows(poll: Poll) -> list[dict[str, Any]]:
    """The result as plain rows (for JSON and the CLI)."""
    return [
        {"option": r.label, "votes": r.votes, "percent": r.percent, "winner": r.winner}
        for r in poll.results
    ]
