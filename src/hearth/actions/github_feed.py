"""The GitHub feed: merged pull requests and published releases to announce in chat.

``pr.merged`` and ``release.published`` reach the ledger from webhooks and ``hearth import
github``. The bot asks :func:`access_github_feed` what is new for a ``scope`` (it uses
``discord:<server id>``), posts it, and marks each post with :func:`do_mark_posted` as soon as
it is sent. The position is a sync cursor (:mod:`hearth.actions.sync`, source
:data:`SOURCE`), so a restart neither repeats nor misses an announcement:

- ``after``: the highest activity id handled. Ids are given out in order but transactions may
  commit out of order (two webhook workers), so each read looks again at the ids above the
  ``after`` of :data:`SETTLE` ago (``marks`` keeps the recent ``after`` values with their time)
  and skips those already handled (``done``, only ids in that window are kept).
- The first read for a scope announces nothing: the feed starts at the newest activity, not
  at the history already stored.
- Activities that happened more than :data:`HISTORY` ago (history imported later) are not
  news and are never announced.

What is read is public on GitHub (titles, addresses, logins), so any caller may read it; the
author of an erased member is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from hearth.actions.sync import access_cursor, do_save_cursor
from hearth.domain.playbook.server import GitHubAnnouncements
from hearth.store.tables import activities, identities, members

SOURCE = "github_feed"
KINDS = ("pr.merged", "release.published")
PLATFORM = "github"
HISTORY = timedelta(days=1)  # older activities are history, not news
SETTLE = timedelta(minutes=10)  # how late a transaction may commit after a later one
BATCH = 200
MAX_MARKS = 100  # marks kept within the window (one per read that moved the position)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One merged pull request or published release, and the channel that announces it."""

    activity_id: int
    kind: str  # "pr.merged" or "release.published"
    channel: str | None  # None: the playbook announces it nowhere
    repository: str
    title: str
    url: str | None
    author: str | None
    occurred_at: datetime
    number: int | None = None
    tag: str | None = None


@dataclass(slots=True)
class Feed:
    """What :func:`access_github_feed` found. ``head`` is the newest activity id when every
    candidate was read (None when the batch was full); ``first``: the scope's first read."""

    items: list[FeedItem] = field(default_factory=list)
    head: int | None = None
    first: bool = False


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _low(cursor: dict[str, Any], now: datetime) -> int:
    """The ``after`` of :data:`SETTLE` ago: every id up to it was committed and handled."""
    marks = [(_moment(t), int(a)) for t, a in cursor.get("marks", [])]
    settled = [a for t, a in marks if t <= now - SETTLE]
    if settled:
        return max(settled)
    return min((a for _, a in marks), default=int(cursor.get("after", 0)))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def access_github_feed(
    engine: Engine,
    announcements: GitHubAnnouncements,
    scope: str,
    *,
    now: datetime | None = None,
    limit: int = BATCH,
) -> Feed:
    """What ``scope`` has not announced yet, oldest first (see the module docstring)."""
    now = now or datetime.now(UTC)
    cursor = access_cursor(engine, SOURCE, scope)
    with engine.connect() as conn:
        head = int(conn.scalar(select(func.max(activities.c.id))) or 0)
        if not cursor:
            return Feed(head=head, first=True)
        done = [int(i) for i in cursor.get("done", [])]
        query = (
            select(
                activities.c.id,
                activities.c.kind,
                activities.c.occurred_at,
                activities.c.properties,
                identities.c.handle,
                members.c.erased_at,
            )
            .select_from(
                activities.outerjoin(
                    identities, identities.c.id == activities.c.actor_identity_id
                ).outerjoin(members, members.c.id == identities.c.member_id)
            )
            .where(
                activities.c.platform == PLATFORM,
                activities.c.kind.in_(KINDS),
                activities.c.id > _low(cursor, now),
                activities.c.occurred_at >= now - HISTORY,
            )
            .order_by(activities.c.id)
            .limit(limit + len(done))
        )
        rows = list(conn.execute(query))
    handled = set(done)
    fresh = [r for r in rows if int(r.id) not in handled]
    full = len(rows) == limit + len(done)  # more may follow: do not move past them yet
    items = [_item(row, announcements) for row in fresh[:limit]]
    return Feed(items=items, head=None if full else head)


def _item(row: Any, announcements: GitHubAnnouncements) -> FeedItem:
    props: dict[str, Any] = dict(row.properties or {})
    repository = _text(props.get("repository")) or ""
    number = props.get("number") if isinstance(props.get("number"), int) else None
    tag = _text(props.get("tag"))
    if row.kind == "pr.merged":
        title = _text(props.get("title")) or f"#{number}"
    else:
        title = _text(props.get("name")) or tag or ""
    return FeedItem(
        activity_id=int(row.id),
        kind=row.kind,
        channel=announcements.channel_for(row.kind, repository),
        repository=repository,
        title=title,
        url=_text(props.get("url")),
        author=row.handle if row.erased_at is None else None,
        occurred_at=_moment(row.occurred_at),
        number=number,
        tag=tag,
    )


def do_mark_posted(
    engine: Engine,
    scope: str,
    activity_ids: list[int],
    *,
    head: int | None = None,
    now: datetime | None = None,
) -> None:
    """Remember ``activity_ids`` as handled in ``scope`` (posted, or announced nowhere);
    ``head`` (from :class:`Feed`) moves the position past everything read. The first call for
    a scope starts it at ``head``."""
    now = now or datetime.now(UTC)
    cursor = access_cursor(engine, SOURCE, scope) or {"after": head or 0, "marks": [], "done": []}
    after = max([int(cursor.get("after", 0)), *activity_ids, head or 0])
    marks = [(_moment(t), int(a)) for t, a in cursor.get("marks", [])]
    if not marks or marks[-1][1] != after:
        marks.append((now, after))
    # keep the marks of the settling window and the newest one before it (it defines `low`)
    older = [m for m in marks if m[0] <= now - SETTLE]
    recent = [m for m in marks if m[0] > now - SETTLE]
    marks = ([max(older)] if older else []) + recent[-MAX_MARKS:]
    low = _low({"marks": [(t.isoformat(), a) for t, a in marks]}, now)
    done = sorted({int(i) for i in cursor.get("done", [])} | set(activity_ids))
    do_save_cursor(
        engine,
        SOURCE,
        scope,
        {
            "after": after,
            "marks": [[t.isoformat(), a] for t, a in marks],
            "done": [i for i in done if i > low],
        },
    )
