"""Community health metrics (read, staff only) and NPS survey answers (write).

``access_metrics`` streams the ledger's records for a period and platform through the pure
metric functions of :mod:`hearth.domain.metrics`; ``docs/metrics.md`` defines every figure.
``check_record_nps`` validates an answer from a form or the command line and calls
``do_record_nps``, which stores it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select

from hearth.actions import audit
from hearth.actions.context import Caller, require_staff
from hearth.domain.metrics import (
    KindMonth,
    MetricInputs,
    People,
    Period,
    TargetSet,
    health_report,
)
from hearth.domain.metrics.activity import HourCount, TopicCount
from hearth.domain.metrics.contributors import contribution_kinds
from hearth.domain.metrics.defaults import PHOENIX, TARGET_SETS
from hearth.domain.metrics.funnel import funnel_kinds, phoenix_funnel
from hearth.domain.metrics.members import MemberHistory, member_histories
from hearth.domain.metrics.nps import MAX_SCORE, MIN_SCORE, NpsAnswer, valid_score
from hearth.domain.metrics.report import member_scopes
from hearth.domain.metrics.satisfaction import TicketRating
from hearth.domain.metrics.stages import CONTENT_KIND, STAR_KIND
from hearth.domain.metrics.threads import ThreadOutcome, summarize_threads
from hearth.errors import Conflict, InputError, NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store import metric_queries as mq
from hearth.store.tables import members, nps_responses

MAX_COMMENT = 4000
TICK = timedelta(microseconds=1)


def target_set(name: str) -> TargetSet:
    """The default targets named ``name`` (``phoenix`` or ``atlas``)."""
    try:
        return TARGET_SETS[name]
    except KeyError:
        raise InputError(
            _("Unknown targets '{name}'; expected one of: {names}.").format(
                name=name, names=", ".join(sorted(TARGET_SETS))
            )
        ) from None


def _aware(moment: datetime | None, name: str) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise InputError(_("'{name}' must carry a time zone.").format(name=name))
    return moment.astimezone(UTC)


def access_metrics(
    engine: Engine,
    caller: Caller,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    platform: str | None = None,
    include_bots: bool = False,
    targets: TargetSet | None = None,
    launch: datetime | None = None,
) -> dict[str, Any]:
    """Every health metric for ``[since, until)`` on ``platform`` (all when None).

    Without ``since`` the period starts at the ledger's first activity; without ``until`` it
    ends now (or just after the last activity, if that is later). Bots are left out unless
    ``include_bots``; staff are left out of member and contributor counts. ``targets``
    defaults to the Phoenix strategy's; the growth stages count months from ``launch``
    (default: the first activity's month).

    The threads and the member activity are read side by side, on two connections (each a
    scan of much of the ledger that waits on the database more than on Python).
    """
    require_staff(caller)
    since, until = _aware(since, "since"), _aware(until, "until")
    if since is not None and until is not None and until <= since:
        raise InputError(_("The period is empty: 'until' must be after 'since'."))
    with engine.connect() as conn:
        bounds = mq.ledger_bounds(conn)
        bots, staff = mq.flagged_members(conn)
        tier_reached = mq.tier_starts(conn)
    first, last = bounds if bounds is not None else (None, None)
    now = datetime.now(UTC)
    start = since or first or until or now
    end = until or max(now, last + TICK if last is not None else now, start)
    period = Period(start, max(start, end))
    people = People(bots=bots, staff=staff, include_bots=include_bots)
    scope = mq.Scope(
        period.since, period.until, platform=platform, include_bots=include_bots, ledger=bounds
    )
    kinds = contribution_kinds()
    grouped = funnel_kinds(phoenix_funnel(kinds)) | kinds | {STAR_KIND, CONTENT_KIND}
    history = min(first, period.since) if first is not None else period.since

    def members_side() -> tuple[dict[str | None, MemberHistory], list[KindMonth], list[HourCount]]:
        with engine.connect() as conn:
            activity = mq.member_activity(conn, history, period.until)
            histories = member_histories(activity, people, member_scopes(platform))
            kind_rows = list(mq.kind_months(conn, grouped, history, period.since, period.until))
            hours = list(mq.hourly_activity(conn, scope))
        return histories, kind_rows, hours

    def threads_side() -> tuple[
        list[ThreadOutcome], list[TopicCount], list[NpsAnswer], list[TicketRating]
    ]:
        with engine.connect() as conn:
            threads = mq.thread_openings(conn, scope)
            events = mq.thread_events(conn, scope, threads)
            outcomes = summarize_threads(threads.openings, events, people)
            channels = list(mq.channel_counts(conn, scope))
            answers = list(mq.nps_answers(conn, period.since, period.until))
            ratings = list(mq.ticket_ratings(conn, scope))
        return outcomes, channels, answers, ratings

    if _parallel(engine):
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hearth-metrics") as pool:
            members_future = pool.submit(members_side)
            outcomes, channels, answers, ratings = threads_side()
            histories, kind_rows, hours = members_future.result()
    else:
        histories, kind_rows, hours = members_side()
        outcomes, channels, answers, ratings = threads_side()
    inputs = MetricInputs(
        period=period,
        people=people,
        contribution_kinds=kinds,
        histories=histories,
        platform=platform,
        launch=launch or first,
        outcomes=outcomes,
        kind_months=kind_rows,
        hours=hours,
        channels=channels,
        nps_answers=answers,
        ratings=ratings,
        tier_reached=tier_reached,
        extra={
            "first_activity": first.isoformat() if first else None,
            "last_activity": last.isoformat() if last else None,
        },
    )
    report = health_report(inputs, targets or PHOENIX)
    for step in report["funnel"]["steps"]:
        if not step["available"]:
            step["note"] = _(
                "Not available yet: champion tiers come from the rules engine, which has not "
                "run on this ledger yet ('hearth rebuild')."
            )
    return report


def _parallel(engine: Engine) -> bool:
    """Whether two connections see the same database (not so for in-memory SQLite)."""
    database = engine.url.database
    return engine.dialect.name != "sqlite" or database not in (None, "", ":memory:")


def check_record_nps(
    engine: Engine,
    caller: Caller,
    member_id: int | None,
    score: object,
    comment: object = None,
    *,
    answered_at: datetime | None = None,
) -> int:
    """Validate an NPS answer from untrusted input (a form, the command line) and store it."""
    if isinstance(score, str) and score.strip().lstrip("-").isdigit():
        score = int(score.strip())
    if not isinstance(score, int) or not valid_score(score):
        raise InputError(
            _("The score must be a whole number from {low} to {high}, not '{score}'.").format(
                low=MIN_SCORE, high=MAX_SCORE, score=score
            )
        )
    if comment is not None and not isinstance(comment, str):
        raise InputError(_("The comment must be text."))
    text = comment.strip() if isinstance(comment, str) else None
    if text is not None and len(text) > MAX_COMMENT:
        raise InputError(
            _("The comment is too long: at most {n} characters.").format(n=MAX_COMMENT)
        )
    return do_record_nps(engine, caller, member_id, score, text or None, answered_at=answered_at)


def do_record_nps(
    engine: Engine,
    caller: Caller,
    member_id: int | None,
    score: int,
    comment: str | None,
    *,
    answered_at: datetime | None = None,
) -> int:
    """Store one NPS answer (anonymous when ``member_id`` is None); returns its id.

    Members record their own answer (or an anonymous one); staff may record anyone's, and
    what staff record is audited.
    """
    if not valid_score(score):
        raise InputError(
            _("The score must be a whole number from {low} to {high}, not '{score}'.").format(
                low=MIN_SCORE, high=MAX_SCORE, score=score
            )
        )
    if not caller.is_staff and member_id is not None and member_id != caller.member_id:
        raise PermissionDenied(_("Members may only answer the survey for themselves."))
    at = _aware(answered_at, "answered_at") or datetime.now(UTC)
    with engine.begin() as conn:
        if member_id is not None:
            row = conn.execute(
                select(members.c.merged_into, members.c.erased_at).where(members.c.id == member_id)
            ).first()
            if row is None:
                raise NotFound(_("There is no member {id}.").format(id=member_id))
            if row.merged_into is not None:
                raise Conflict(
                    _("Member {id} was merged into member {target}; use that member.").format(
                        id=member_id, target=row.merged_into
                    )
                )
            if row.erased_at is not None:
                raise Conflict(_("Member {id} was erased.").format(id=member_id))
        answer_id = conn.execute(
            insert(nps_responses)
            .values(member_id=member_id, score=score, comment=comment, answered_at=at)
            .returning(nps_responses.c.id)
        ).scalar_one()
        if caller.is_staff:
            audit.record(
                conn,
                caller,
                "nps.recorded",
                "nps_response",
                answer_id,
                member=member_id,
                score=score,
            )
    return int(answer_id)
