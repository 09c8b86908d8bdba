"""Feature suggestions ("ideas"): posting, voting, staff status changes, merging duplicates.

(Identity-link suggestions for staff review are another thing: ``actions/suggestions.py``.)

Every transition is one transaction that changes the workflow row *and* writes its ledger
activity (platform ``hearth``): ``suggestion.posted``, ``suggestion.voted``,
``suggestion.status_changed``, ``suggestion.merged`` (``docs/suggestions.md``). A vote's and a
status change's target owner is the suggestion's author, so playbook rules can reward popular
ideas. Staff decisions are audited too.

Voters are members: a signed-in account's member, or the member of a chat account (resolved,
and created on first sight, like the ledger does). Each member holds one vote per suggestion
(``+1`` or ``-1``); voting again changes it, ``0`` takes it back. Counting is
:mod:`hearth.domain.voting`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, String, cast, func, insert, literal, select, update

from hearth.actions import audit
from hearth.actions.context import Caller, require_staff
from hearth.actions.identities import IdentityResolver
from hearth.domain import voting
from hearth.domain.activity import IdentityRef
from hearth.errors import Conflict, InputError, NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store import merges
from hearth.store.db import dialect_insert
from hearth.store.tables import (
    activities,
    identities,
    members,
    poll_votes,
    suggestion_votes,
    suggestions,
    sync_cursors,
)

PLATFORM = "hearth"
MAX_TITLE = 200
MAX_BODY = 4000
MAX_REASON = 1000
ORIGINS = ("discord", "web", "cli", "stackexchange")
CLOSED = (voting.DONE, voting.DECLINED)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggestion as the interfaces show it, with its tally."""

    id: int
    title: str
    body: str
    author_member_id: int | None
    author_name: str | None
    status: str
    status_reason: str | None
    status_changed_at: datetime | None
    community: bool
    merged_into: int | None
    origin: str
    source_id: str | None
    channel_id: str | None
    message_id: str | None
    created_at: datetime
    up: int = 0
    down: int = 0
    my_vote: int = 0

    @property
    def score(self) -> int:
        return self.up - self.down

    @property
    def on_roadmap(self) -> bool:
        return self.merged_into is None and self.status in voting.ROADMAP_STATUSES


def member_voter(member_id: int) -> str:
    """The ``voter`` key of a member's votes."""
    return f"member:{member_id}"


# -- helpers ------------------------------------------------------------------------------------


def record_activity(
    conn: Connection,
    kind: str,
    *,
    target_type: str,
    target_id: object,
    actor_member_id: int | None,
    owner_member_id: int | None,
    properties: dict[str, Any],
    at: datetime,
    source_id: str | None = None,
    actor_identity_id: int | None = None,
) -> str:
    """Write one ledger activity of a workflow transition in the caller's transaction."""
    source_id = source_id or f"{kind}:{uuid.uuid4()}"
    conn.execute(
        insert(activities).values(
            platform=PLATFORM,
            source_id=source_id,
            kind=kind,
            occurred_at=at,
            actor_identity_id=actor_identity_id,
            actor_member_id=actor_member_id,
            target_type=target_type,
            target_id=str(target_id),
            target_owner_member_id=owner_member_id,
            properties=properties,
        )
    )
    return source_id


def resolve_member(conn: Connection, caller: Caller, person: IdentityRef | None) -> int | None:
    """The member acting: the caller's, else the chat account's (created on first sight)."""
    return resolve_actor(conn, caller, person)[0]


def resolve_actor(
    conn: Connection, caller: Caller, person: IdentityRef | None
) -> tuple[int | None, int | None]:
    """``(member id, identity id)`` of who acts: the chat account ``person`` when given (its
    member, created on first sight), else the caller's member (no identity)."""
    if person is None:
        return caller.member_id, None
    resolver = IdentityResolver()
    resolver.resolve(conn, [person])
    identity_id, member_id = resolver.get(person)
    row = conn.execute(
        select(members.c.merged_into, members.c.erased_at).where(members.c.id == member_id)
    ).one()
    if row.erased_at is not None:
        raise PermissionDenied(_("This account was erased at its owner's request."))
    return int(row.merged_into or member_id), identity_id


def _now(at: datetime | None) -> datetime:
    return (at or datetime.now(UTC)).astimezone(UTC)


def _text(value: str | None, limit: int, what: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InputError(_("The {what} is empty.").format(what=what))
    if len(text) > limit:
        raise InputError(
            _("The {what} is too long: at most {n} characters.").format(what=what, n=limit)
        )
    return text


def _locked(conn: Connection, suggestion_id: int) -> Any:
    row = conn.execute(
        select(suggestions).where(suggestions.c.id == suggestion_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(_("There is no suggestion {id}.").format(id=suggestion_id))
    return row


def tallies(conn: Connection, ids: list[int]) -> dict[int, voting.Tally]:
    """The tallies of suggestions ``ids``: one vote a person (members merged into one count
    once, with their latest vote: ``voting.one_per_person``)."""
    values: dict[int, list[int]] = defaultdict(list)
    moved = merges.survivors(conn)
    v = suggestion_votes.c
    for chunk in range(0, len(ids), 500):
        rows = conn.execute(
            select(v.suggestion_id, v.member_id, v.at, v.value)
            .where(v.suggestion_id.in_(ids[chunk : chunk + 500]))
            .order_by(v.id)
        )
        for item, value in voting.one_per_person(
            (r.suggestion_id, merges.person_of(moved, r.member_id), r.at, r.value) for r in rows
        ):
            values[item].append(value)
    return {sid: voting.tally(vals) for sid, vals in values.items()}


def _my_votes(conn: Connection, member_id: int | None, ids: list[int]) -> dict[int, int]:
    """The caller's vote on each of ``ids`` (their latest, of all the members they are)."""
    if member_id is None or not ids:
        return {}
    rows = conn.execute(
        select(suggestion_votes.c.suggestion_id, suggestion_votes.c.value)
        .where(
            suggestion_votes.c.member_id.in_(merges.person_ids(member_id)),
            suggestion_votes.c.suggestion_id.in_(ids),
        )
        .order_by(suggestion_votes.c.at, suggestion_votes.c.id)
    )
    return {row.suggestion_id: row.value for row in rows}


def _load(conn: Connection, query: Any, caller: Caller) -> list[Suggestion]:
    query = query.add_columns(members.c.display_name.label("author_name")).select_from(
        suggestions.outerjoin(members, members.c.id == suggestions.c.author_member_id)
    )
    rows = conn.execute(query).all()
    ids = [row.id for row in rows]
    counts = tallies(conn, ids)
    mine = _my_votes(conn, caller.member_id, ids)
    out = []
    for row in rows:
        counted = counts.get(row.id, voting.Tally())
        out.append(
            Suggestion(
                id=row.id,
                title=row.title,
                body=row.body,
                author_member_id=row.author_member_id,
                author_name=row.author_name,
                status=row.status,
                status_reason=row.status_reason,
                status_changed_at=row.status_changed_at,
                community=row.community,
                merged_into=row.merged_into,
                origin=row.origin,
                source_id=row.source_id,
                channel_id=row.channel_id,
                message_id=row.message_id,
                created_at=row.created_at,
                up=counted.up,
                down=counted.down,
                my_vote=mine.get(row.id, 0),
            )
        )
    return out


def _one(conn: Connection, caller: Caller, suggestion_id: int) -> Suggestion:
    found = _load(conn, select(suggestions).where(suggestions.c.id == suggestion_id), caller)
    if not found:
        raise NotFound(_("There is no suggestion {id}.").format(id=suggestion_id))
    return found[0]


# -- posting ------------------------------------------------------------------------------------


def check_post_suggestion(
    engine: Engine,
    caller: Caller,
    title: str,
    body: str | None = None,
    *,
    origin: str = "web",
    author: IdentityRef | None = None,
    at: datetime | None = None,
) -> Suggestion:
    """Post a suggestion as the caller (or the chat account ``author``). Staff may post
    without a member (a roadmap item of their own); those are not marked community-driven."""
    title = _text(title, MAX_TITLE, _("title"), required=True)
    text = _text(body, MAX_BODY, _("description"))
    if origin not in ORIGINS:
        raise InputError(_("Unknown origin '{origin}'.").format(origin=origin))
    when = _now(at)
    with engine.begin() as conn:
        author_id, identity_id = resolve_actor(conn, caller, author)
        if author_id is None and not caller.is_staff:
            raise PermissionDenied(
                _(
                    "Your account is not linked to a member of the community yet: sign in "
                    "with GitHub or Discord on your account page first."
                )
            )
        suggestion_id = conn.execute(
            insert(suggestions)
            .values(
                title=title,
                body=text,
                author_member_id=author_id,
                status=voting.OPEN,
                community=not caller.is_staff,
                origin=origin,
                created_at=when,
            )
            .returning(suggestions.c.id)
        ).scalar_one()
        record_activity(
            conn,
            "suggestion.posted",
            target_type="suggestion",
            target_id=suggestion_id,
            actor_member_id=author_id,
            actor_identity_id=identity_id,
            owner_member_id=author_id,
            properties={"title": title, "origin": origin},
            at=when,
            source_id=f"suggestion:{suggestion_id}",
        )
        return _one(conn, caller, suggestion_id)


def do_set_suggestion_message(
    engine: Engine, suggestion_id: int, channel_id: int | str, message_id: int | str
) -> None:
    """Remember the chat message that shows the suggestion (the bot edits it on votes)."""
    with engine.begin() as conn:
        conn.execute(
            update(suggestions)
            .where(suggestions.c.id == suggestion_id)
            .values(channel_id=str(channel_id), message_id=str(message_id))
        )


# -- voting -------------------------------------------------------------------------------------


def check_vote(
    engine: Engine,
    caller: Caller,
    suggestion_id: int,
    value: int | str,
    *,
    voter: IdentityRef | None = None,
    toggle: bool = False,
    at: datetime | None = None,
) -> Suggestion:
    """Vote ``value`` (``1`` up, ``-1`` down, ``0`` take the vote back) on a suggestion. With
    ``toggle``, voting the way one already voted takes the vote back (the chat buttons).
    A vote on a merged duplicate goes to the suggestion it was merged into."""
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        raise InputError(_("A vote is 1 (for), -1 (against) or 0 (none).")) from None
    if wanted not in (*voting.VOTE_VALUES, 0):
        raise InputError(_("A vote is 1 (for), -1 (against) or 0 (none)."))
    when = _now(at)
    with engine.begin() as conn:
        member_id, identity_id = resolve_actor(conn, caller, voter)
        if member_id is None:
            raise PermissionDenied(
                _(
                    "Your account is not linked to a member of the community yet: sign in "
                    "with GitHub or Discord on your account page first."
                )
            )
        row = _locked(conn, suggestion_id)
        if row.merged_into is not None:
            row = _locked(conn, row.merged_into)
        if row.status in CLOSED:
            raise Conflict(
                _("Voting on this suggestion is closed: it is {status}.").format(
                    status=status_label(row.status)
                )
            )
        if merges.same_person(conn, row.author_member_id, member_id):
            raise Conflict(_("You cannot vote on your own suggestion."))
        previous = _my_votes(conn, member_id, [row.id]).get(row.id, 0)
        if toggle and wanted == previous:
            wanted = 0
        if wanted != previous:
            # The member's own vote is replaced, and the latest of the person's counts. Votes
            # the members merged into theirs cast before stay, not counted while merged, so an
            # unmerge gives each member their own vote back; taking the vote back takes back
            # every vote of the person's.
            conn.execute(
                suggestion_votes.delete().where(
                    suggestion_votes.c.suggestion_id == row.id,
                    suggestion_votes.c.member_id.in_(
                        [member_id] if wanted else merges.person_ids(member_id)
                    ),
                )
            )
            if wanted:
                conn.execute(
                    insert(suggestion_votes).values(
                        suggestion_id=row.id,
                        voter=member_voter(member_id),
                        member_id=member_id,
                        value=wanted,
                        at=when,
                    )
                )
            score = tallies(conn, [row.id]).get(row.id, voting.Tally()).score
            record_activity(
                conn,
                "suggestion.voted",
                target_type="suggestion",
                target_id=row.id,
                actor_member_id=member_id,
                actor_identity_id=identity_id,
                owner_member_id=row.author_member_id,
                properties={"value": wanted, "previous": previous, "score": score},
                at=when,
            )
        return _one(conn, replace(caller, member_id=member_id), row.id)


# -- staff: status and merging -------------------------------------------------------------------


def status_label(status: str) -> str:
    """A status as members read it (translated)."""
    labels = {
        voting.OPEN: _("open"),
        voting.PLANNED: _("planned"),
        voting.IN_PROGRESS: _("in progress"),
        voting.DONE: _("done"),
        voting.DECLINED: _("declined"),
    }
    return labels.get(status, status)


def parse_status(text: str) -> str:
    """``in progress``, ``In-Progress`` and ``in_progress`` all name the same status."""
    status = text.strip().lower().replace(" ", "_").replace("-", "_")
    if not voting.is_status(status):
        raise InputError(
            _("Unknown status '{status}'; one of: {known}.").format(
                status=text, known=", ".join(voting.STATUSES)
            )
        )
    return status


def check_set_status(
    engine: Engine,
    caller: Caller,
    suggestion_id: int,
    status: str,
    reason: str | None = None,
    *,
    at: datetime | None = None,
) -> Suggestion:
    """Staff set a suggestion's status; declining needs a reason (the author is told it)."""
    require_staff(caller)
    new = parse_status(status)
    why = _text(reason, MAX_REASON, _("reason")) or None
    if new == voting.DECLINED and not why:
        raise InputError(_("Say why the suggestion is declined: the author is told."))
    when = _now(at)
    with engine.begin() as conn:
        row = _locked(conn, suggestion_id)
        if row.merged_into is not None:
            raise Conflict(
                _("Suggestion {id} was merged into suggestion {into}; change that one.").format(
                    id=suggestion_id, into=row.merged_into
                )
            )
        if row.status == new and (row.status_reason or None) == why:
            raise Conflict(
                _("The suggestion is already {status}.").format(status=status_label(new))
            )
        conn.execute(
            update(suggestions)
            .where(suggestions.c.id == suggestion_id)
            .values(status=new, status_reason=why, status_changed_at=when)
        )
        properties: dict[str, Any] = {"status": new, "previous": row.status}
        if why:
            properties["reason"] = why
        record_activity(
            conn,
            "suggestion.status_changed",
            target_type="suggestion",
            target_id=suggestion_id,
            actor_member_id=caller.member_id,
            owner_member_id=row.author_member_id,
            properties=properties,
            at=when,
        )
        audit.record(conn, caller, "suggestion.status_changed", "suggestion", suggestion_id,
                     **properties)  # fmt: skip
        return _one(conn, caller, suggestion_id)


def do_merge_suggestions(
    engine: Engine, caller: Caller, duplicate_id: int, into_id: int, *, at: datetime | None = None
) -> Suggestion:
    """Merge suggestion ``duplicate_id`` into ``into_id``: its votes carry over, except those
    of members who voted on both (their vote on the kept one stands) and the kept one's
    author's; duplicates merged into it earlier follow it."""
    require_staff(caller)
    if duplicate_id == into_id:
        raise Conflict(_("A suggestion cannot be merged into itself."))
    when = _now(at)
    with engine.begin() as conn:
        first, second = sorted((duplicate_id, into_id))
        rows = {first: _locked(conn, first), second: _locked(conn, second)}
        duplicate, kept = rows[duplicate_id], rows[into_id]
        for row in (duplicate, kept):
            if row.merged_into is not None:
                raise Conflict(
                    _("Suggestion {id} was already merged into suggestion {into}.").format(
                        id=row.id, into=row.merged_into
                    )
                )
        kept_voters = set(
            conn.scalars(
                select(suggestion_votes.c.voter).where(suggestion_votes.c.suggestion_id == into_id)
            )
        )
        if kept.author_member_id is not None:
            kept_voters.add(member_voter(kept.author_member_id))
        theirs = list(
            conn.scalars(
                select(suggestion_votes.c.voter).where(
                    suggestion_votes.c.suggestion_id == duplicate_id
                )
            )
        )
        move = voting.merge_votes(kept_voters, theirs)
        if move.moved:
            conn.execute(
                update(suggestion_votes)
                .where(
                    suggestion_votes.c.suggestion_id == duplicate_id,
                    suggestion_votes.c.voter.in_(move.moved),
                )
                .values(suggestion_id=into_id)
            )
        if move.dropped:
            conn.execute(
                suggestion_votes.delete().where(
                    suggestion_votes.c.suggestion_id == duplicate_id,
                    suggestion_votes.c.voter.in_(move.dropped),
                )
            )
        conn.execute(
            update(suggestions)
            .where(suggestions.c.merged_into == duplicate_id)
            .values(merged_into=into_id)
        )
        conn.execute(
            update(suggestions).where(suggestions.c.id == duplicate_id).values(merged_into=into_id)
        )
        properties = {
            "into": into_id,
            "votes_moved": len(move.moved),
            "votes_dropped": len(move.dropped),
        }
        record_activity(
            conn,
            "suggestion.merged",
            target_type="suggestion",
            target_id=duplicate_id,
            actor_member_id=caller.member_id,
            owner_member_id=duplicate.author_member_id,
            properties=properties,
            at=when,
        )
        audit.record(conn, caller, "suggestion.merged", "suggestion", duplicate_id, **properties)
        return _one(conn, caller, into_id)


# -- reads --------------------------------------------------------------------------------------


def access_suggestions(
    engine: Engine,
    caller: Caller,
    *,
    status: str | None = None,
    sort: str = "top",
    limit: int = 200,
) -> list[Suggestion]:
    """Suggestions not merged away (public: anyone may read them), best first or newest first."""
    query = select(suggestions).where(suggestions.c.merged_into.is_(None))
    if status:
        query = query.where(suggestions.c.status == parse_status(status))
    with engine.connect() as conn:
        found = _load(conn, query.order_by(suggestions.c.created_at.desc()), caller)
    if sort == "top":
        found.sort(key=lambda s: (-s.score, -s.created_at.timestamp(), -s.id))
    return found[:limit]


def access_suggestion(engine: Engine, caller: Caller, suggestion_id: int) -> Suggestion:
    with engine.connect() as conn:
        return _one(conn, caller, suggestion_id)


def access_duplicates(engine: Engine, caller: Caller, suggestion_id: int) -> list[Suggestion]:
    """The suggestions merged into ``suggestion_id``."""
    with engine.connect() as conn:
        return _load(
            conn, select(suggestions).where(suggestions.c.merged_into == suggestion_id), caller
        )


def access_roadmap(engine: Engine, caller: Caller) -> dict[str, list[Suggestion]]:
    """The public roadmap: planned, in progress and done, each best-voted first."""
    query = select(suggestions).where(
        suggestions.c.merged_into.is_(None), suggestions.c.status.in_(voting.ROADMAP_STATUSES)
    )
    with engine.connect() as conn:
        found = _load(conn, query, caller)
    columns: dict[str, list[Suggestion]] = {status: [] for status in voting.ROADMAP_STATUSES}
    for item in sorted(found, key=lambda s: (-s.score, s.created_at, s.id)):
        columns[item.status].append(item)
    return columns


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A status change for the chat to announce (and to tell the author)."""

    activity_id: int
    suggestion: Suggestion
    status: str
    reason: str | None
    author_chat_ids: tuple[str, ...]


CURSOR_SOURCE = "suggestion_status"


def access_status_changes(
    engine: Engine, scope: str, *, platform: str = "discord", limit: int = 50
) -> list[StatusChange]:
    """Status changes not yet announced in ``scope`` (a chat server), oldest first; none
    before :func:`do_start_status_announcements` for the scope."""
    with engine.connect() as conn:
        after = conn.scalar(
            select(sync_cursors.c.cursor).where(
                sync_cursors.c.source == CURSOR_SOURCE, sync_cursors.c.key == scope
            )
        )
        if after is None:
            return []
        rows = conn.execute(
            select(activities.c.id, activities.c.target_id, activities.c.properties)
            .where(
                activities.c.kind == "suggestion.status_changed",
                activities.c.id > int(after["activity_id"]),
            )
            .order_by(activities.c.id)
            .limit(limit)
        ).all()
        out = []
        for row in rows:
            suggestion = _one(conn, Caller(name="bot"), int(row.target_id))
            chat_ids: tuple[str, ...] = ()
            if suggestion.author_member_id is not None:
                chat_ids = tuple(
                    conn.scalars(
                        select(identities.c.external_id).where(
                            identities.c.member_id == suggestion.author_member_id,
                            identities.c.platform == platform,
                        )
                    )
                )
            out.append(
                StatusChange(
                    activity_id=row.id,
                    suggestion=suggestion,
                    status=row.properties.get("status", suggestion.status),
                    reason=row.properties.get("reason"),
                    author_chat_ids=chat_ids,
                )
            )
        return out


def do_start_status_announcements(engine: Engine, scope: str) -> bool:
    """Start announcing status changes in ``scope`` from now on (earlier ones are not
    announced); True when it starts now, False when it had started before."""
    with engine.begin() as conn:
        latest = int(conn.scalar(select(func.max(activities.c.id))) or 0)
        done = conn.execute(
            dialect_insert(engine.dialect.name, sync_cursors)
            .values(
                source=CURSOR_SOURCE,
                key=scope,
                cursor={"activity_id": latest},
                updated_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
            .returning(sync_cursors.c.id)
        ).first()
        return done is not None


def do_mark_status_announced(engine: Engine, scope: str, activity_id: int) -> None:
    """Remember that status changes up to ``activity_id`` were announced in ``scope``."""
    with engine.begin() as conn:
        statement = dialect_insert(engine.dialect.name, sync_cursors).values(
            source=CURSOR_SOURCE,
            key=scope,
            cursor={"activity_id": activity_id},
            updated_at=datetime.now(UTC),
        )
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["source", "key"],
                set_={
                    "cursor": statement.excluded.cursor,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )


# -- member data (docs/architecture.md) ---------------------------------------------------------


def access_member_votes(engine: Engine, caller: Caller, member_id: int) -> dict[str, Any]:
    """A member's suggestions and votes, for the member themselves or staff (export); with
    those of the members merged into it (one person)."""
    with engine.connect() as conn:
        if not caller.is_staff and not merges.same_person(conn, caller.member_id, member_id):
            raise PermissionDenied(_("Only staff or the member themselves may see this."))
        person = merges.person_ids(member_id)
        posted = conn.execute(
            select(suggestions.c.id, suggestions.c.title, suggestions.c.created_at)
            .where(suggestions.c.author_member_id.in_(person))
            .order_by(suggestions.c.id)
        ).all()
        votes = conn.execute(
            select(
                suggestion_votes.c.suggestion_id, suggestion_votes.c.value, suggestion_votes.c.at
            )
            .where(suggestion_votes.c.member_id.in_(person))
            .order_by(suggestion_votes.c.at)
        ).all()
        polled = conn.execute(
            select(poll_votes.c.poll_id, poll_votes.c.option, poll_votes.c.at)
            .where(poll_votes.c.member_id.in_(person))
            .order_by(poll_votes.c.at)
        ).all()
    return {
        "suggestions": [
            {"id": r.id, "title": r.title, "at": r.created_at.isoformat()} for r in posted
        ],
        "suggestion_votes": [
            {"suggestion": r.suggestion_id, "value": r.value, "at": r.at.isoformat()} for r in votes
        ],
        "poll_votes": [
            {"poll": r.poll_id, "option": r.option, "at": r.at.isoformat()} for r in polled
        ],
    }


def drop_superseded_votes(conn: Connection, person: list[int]) -> None:
    """Of a person's votes (members merged into one) on each suggestion and poll, all but the
    latest, which alone counts: for an erasure, after which the votes name nobody and would
    each count by themselves. (The order is ``voting.one_per_person``'s.)"""
    for table, item in (
        (suggestion_votes, suggestion_votes.c.suggestion_id),
        (poll_votes, poll_votes.c.poll_id),
    ):
        rows = conn.execute(
            select(table.c.id, item.label("item"))
            .where(table.c.member_id.in_(person))
            .order_by(table.c.at, table.c.id)
        ).all()
        latest = {row.item: row.id for row in rows}
        superseded = [row.id for row in rows if latest[row.item] != row.id]
        if superseded:
            conn.execute(table.delete().where(table.c.id.in_(superseded)))


def forget_member(conn: Connection, member_id: int) -> dict[str, int]:
    """Erasure (inside ``do_erase_member``'s transaction): the member's votes stay counted but
    name nobody; their suggestions stay, without an author."""
    voter = literal("erased:", String) + cast(suggestion_votes.c.id, String)
    votes = conn.execute(
        update(suggestion_votes)
        .where(suggestion_votes.c.member_id == member_id)
        .values(member_id=None, voter=voter)
    ).rowcount
    polled = conn.execute(
        update(poll_votes)
        .where(poll_votes.c.member_id == member_id)
        .values(member_id=None, voter=literal("erased:", String) + cast(poll_votes.c.id, String))
    ).rowcount
    authored = conn.execute(
        update(suggestions)
        .where(suggestions.c.author_member_id == member_id)
        .values(author_member_id=None)
    ).rowcount
    # The workflow's own ledger rows name members by member id only: delete the member's acts,
    # detach them where they are the target owner (the ledger's erasure does this by identity).
    mine = activities.c.platform == PLATFORM, activities.c.kind.in_(MEMBER_KINDS)
    conn.execute(activities.delete().where(*mine, activities.c.actor_member_id == member_id))
    conn.execute(
        update(activities)
        .where(*mine, activities.c.target_owner_member_id == member_id)
        .values(target_owner_member_id=None)
    )
    return {"votes": votes + polled, "suggestions": authored}


MEMBER_KINDS = (
    "suggestion.posted",
    "suggestion.voted",
    "suggestion.status_changed",
    "suggestion.merged",
    "poll.created",
    "poll.voted",
    "contest.won",
)
