"""Suggestion contests: time-boxed; the top-voted ideas posted within one win the playbook's
prizes (``suggestions.contests``: points or an achievement per place).

Closing ranks the contest's suggestions (:func:`hearth.domain.voting.rank_contest`), fixes the
result and writes ``contest.closed`` and one ``contest.won`` per winner in one transaction;
the prizes are then given through the staff-decision actions (``actions/grants.py``:
``points.granted`` or ``achievement.awarded``), so the rules engine folds them like any grant.
Closing is a conditional update: a contest is closed, and its prizes given, once.
:func:`do_close_due_contests` closes every contest whose end has passed (the workflow job).
The bot announces each closed contest's results once (:func:`access_unannounced_contests`,
:func:`do_mark_contest_announced`: ``contests.announced_at``, kept across restarts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from hearth.actions import audit
from hearth.actions.context import Caller, require_staff
from hearth.actions.grants import do_award_achievement, do_grant_points
from hearth.actions.ideas import record_activity, tallies
from hearth.domain import voting
from hearth.domain.playbook import Playbook
from hearth.domain.playbook.programs import Contests
from hearth.errors import Conflict, InputError, NotFound
from hearth.i18n import _
from hearth.store.tables import contests, members, suggestions

JOB = Caller(name="job:contests", is_staff=True)


@dataclass(frozen=True, slots=True)
class Contest:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    closed_at: datetime | None
    winners: list[dict[str, Any]]


def _rules(playbook: Playbook) -> Contests:
    rules = playbook.suggestions.contests if playbook.suggestions else None
    if rules is None:
        raise Conflict(
            _("The playbook '{name}' has no suggestion contests (suggestions.contests).").format(
                name=playbook.name
            )
        )
    return rules


def _contest(row: Any) -> Contest:
    return Contest(
        id=row.id,
        title=row.title,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        closed_at=row.closed_at,
        winners=list((row.results or {}).get("winners", [])),
    )


def do_start_contest(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    title: str,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Contest:
    """Start a contest (staff): from ``starts_at`` (now) for the playbook's duration, or
    until ``ends_at``."""
    require_staff(caller)
    rules = _rules(playbook)
    title = title.strip()
    if not title or len(title) > 200:
        raise InputError(_("A contest's title has 1 to 200 characters."))
    start = (starts_at or datetime.now(UTC)).astimezone(UTC)
    end = (ends_at or start + rules.duration).astimezone(UTC)
    if end <= start:
        raise InputError(_("A contest must end after it starts."))
    with engine.begin() as conn:
        contest_id = conn.execute(
            insert(contests)
            .values(title=title, starts_at=start, ends_at=end, created_by=caller.name)
            .returning(contests.c.id)
        ).scalar_one()
        record_activity(
            conn,
            "contest.started",
            target_type="contest",
            target_id=contest_id,
            actor_member_id=caller.member_id,
            owner_member_id=None,
            properties={"title": title, "ends_at": end.isoformat()},
            at=start,
            source_id=f"contest:{contest_id}",
        )
        audit.record(conn, caller, "contest.started", "contest", contest_id, title=title)
        row = conn.execute(select(contests).where(contests.c.id == contest_id)).one()
    return _contest(row)


def access_contest_entries(engine: Engine, contest_id: int) -> list[voting.Entry]:
    """The suggestions taking part, with their score now."""
    with engine.connect() as conn:
        contest = conn.execute(select(contests).where(contests.c.id == contest_id)).first()
        if contest is None:
            raise NotFound(_("There is no contest {id}.").format(id=contest_id))
        rows = conn.execute(
            select(
                suggestions.c.id, suggestions.c.author_member_id, suggestions.c.created_at
            ).where(
                suggestions.c.merged_into.is_(None),
                suggestions.c.status != voting.DECLINED,
                suggestions.c.created_at >= contest.starts_at,
                suggestions.c.created_at < contest.ends_at,
            )
        ).all()
        counts = tallies(conn, [row.id for row in rows])
    return [
        voting.Entry(
            suggestion_id=row.id,
            author_member_id=row.author_member_id,
            posted_at=row.created_at,
            score=counts.get(row.id, voting.Tally()).score,
        )
        for row in rows
    ]


def do_close_contest(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    contest_id: int,
    *,
    at: datetime | None = None,
    early: bool = False,
) -> Contest:
    """Close a contest whose end has passed (or, with ``early``, now) and give the prizes."""
    require_staff(caller)
    rules = _rules(playbook)
    when = (at or datetime.now(UTC)).astimezone(UTC)
    prizes = {prize.place: prize for prize in rules.prizes}
    entries = access_contest_entries(engine, contest_id)
    placed = voting.rank_contest(entries, max(prizes, default=0), min_score=rules.min_score)
    winners: list[dict[str, Any]] = []
    for placement in placed:
        prize = prizes.get(placement.place)
        if prize is None:
            continue
        winners.append(
            {
                "place": placement.place,
                "suggestion": placement.entry.suggestion_id,
                "member": placement.entry.author_member_id,
                "score": placement.entry.score,
                "points": prize.points,
                "achievement": prize.achievement,
            }
        )
    with engine.begin() as conn:
        row = conn.execute(
            select(contests).where(contests.c.id == contest_id).with_for_update()
        ).one()
        if row.closed_at is not None:
            raise Conflict(_("Contest {id} is already closed.").format(id=contest_id))
        if row.ends_at > when and not early:
            raise Conflict(
                _("Contest {id} runs until {end}; close it early to end it now.").format(
                    id=contest_id, end=row.ends_at.isoformat(timespec="minutes")
                )
            )
        conn.execute(
            update(contests)
            .where(contests.c.id == contest_id)
            .values(closed_at=when, results={"winners": winners})
        )
        record_activity(
            conn,
            "contest.closed",
            target_type="contest",
            target_id=contest_id,
            actor_member_id=caller.member_id,
            owner_member_id=None,
            properties={"winners": [w["suggestion"] for w in winners]},
            at=when,
            source_id=f"contest:{contest_id}:closed",
        )
        for winner in winners:
            properties = {k: v for k, v in winner.items() if k != "member" and v is not None}
            record_activity(
                conn,
                "contest.won",
                target_type="contest",
                target_id=contest_id,
                actor_member_id=None,
                owner_member_id=winner["member"],
                properties=properties,
                at=when,
                source_id=f"contest:{contest_id}:won:{winner['place']}",
            )
        audit.record(conn, caller, "contest.closed", "contest", contest_id, winners=winners)
        closed = conn.execute(select(contests).where(contests.c.id == contest_id)).one()
    for winner in winners:
        reason = _("Place {place} in the suggestion contest '{title}'").format(
            place=winner["place"], title=row.title
        )
        if winner["points"] is not None:
            do_grant_points(engine, caller, winner["member"], winner["points"], reason, at=when)
        else:
            do_award_achievement(
                engine, caller, playbook, winner["member"], winner["achievement"], reason, at=when
            )
    return _contest(closed)


def do_close_due_contests(
    engine: Engine, playbook: Playbook, *, now: datetime | None = None
) -> list[int]:
    """Close every contest whose end has passed; returns their ids."""
    if playbook.suggestions is None or playbook.suggestions.contests is None:
        return []
    when = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.connect() as conn:
        due = list(
            conn.scalars(
                select(contests.c.id).where(
                    contests.c.closed_at.is_(None), contests.c.ends_at <= when
                )
            )
        )
    closed = []
    for contest_id in due:
        try:
            do_close_contest(engine, JOB, playbook, contest_id, at=when)
        except Conflict:
            continue  # another process closed it meanwhile
        closed.append(contest_id)
    return closed


def access_contests(engine: Engine, caller: Caller, *, limit: int = 50) -> list[Contest]:
    """Contests, latest first (public: anyone may read them)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(contests)
            .order_by(contests.c.starts_at.desc(), contests.c.id.desc())
            .limit(limit)
        ).all()
    return [_contest(row) for row in rows]


@dataclass(frozen=True, slots=True)
class Winner:
    """A winning suggestion, its author and the prize, as the announcement names them."""

    place: int
    suggestion_id: int
    title: str
    member_id: int | None
    member_name: str | None
    score: int
    points: int | None
    achievement: str | None
    achievement_name: str | None


@dataclass(frozen=True, slots=True)
class Results:
    """A closed contest's results, to announce."""

    id: int
    title: str
    closed_at: datetime
    winners: list[Winner]


def access_unannounced_contests(engine: Engine, playbook: Playbook) -> list[Results]:
    """Closed contests whose results the bot has not announced yet, the earliest first."""
    names = {a.key: a.name for a in playbook.achievements}
    with engine.connect() as conn:
        rows = conn.execute(
            select(contests)
            .where(contests.c.closed_at.is_not(None), contests.c.announced_at.is_(None))
            .order_by(contests.c.closed_at, contests.c.id)
        ).all()
        found = []
        for row in rows:
            placed = list((row.results or {}).get("winners", []))
            ideas = {
                r.id: r.title
                for r in conn.execute(
                    select(suggestions.c.id, suggestions.c.title).where(
                        suggestions.c.id.in_([w["suggestion"] for w in placed])
                    )
                )
            }
            people = {
                r.id: r.display_name
                for r in conn.execute(
                    select(members.c.id, members.c.display_name).where(
                        members.c.id.in_([w["member"] for w in placed if w.get("member")]),
                        members.c.erased_at.is_(None),
                    )
                )
            }
            winners = [
                Winner(
                    place=int(w["place"]),
                    suggestion_id=int(w["suggestion"]),
                    title=ideas.get(w["suggestion"], ""),
                    member_id=w.get("member"),
                    member_name=people.get(w.get("member")),
                    score=int(w.get("score") or 0),
                    points=w.get("points"),
                    achievement=w.get("achievement"),
                    achievement_name=names.get(w.get("achievement") or "", w.get("achievement")),
                )
                for w in placed
            ]
            found.append(Results(row.id, row.title, row.closed_at, winners))
    return found


def do_mark_contest_announced(engine: Engine, contest_id: int) -> bool:
    """Mark a contest's results announced; False when they were already (another process)."""
    with engine.begin() as conn:
        done = conn.execute(
            update(contests)
            .where(contests.c.id == contest_id, contests.c.announced_at.is_(None))
            .values(announced_at=datetime.now(UTC))
        )
    return bool(done.rowcount)
