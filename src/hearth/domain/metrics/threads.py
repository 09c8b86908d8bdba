"""Threads that ask for attention: time to first response, response and resolution rates.

A *thread* is anything a member opens to ask for attention: a forum topic, a help-forum post or
help-channel thread, a Q&A question, a GitHub issue or discussion, a support ticket. It is
identified by its :data:`ThreadKey`, ``(platform, target type, target id)``: the target of the
opening activity, which every reply and resolution of it targets too.

- **First response**: the earliest reply by anyone other than the opener (staff included,
  bots not unless asked). A reply dated before the opening (a post moved in from elsewhere)
  counts as an immediate response.
- **Resolution**: the earliest accepted answer, solved mark or close, by anyone.

:func:`summarize_threads` turns the plain records into one :class:`ThreadOutcome` per thread;
:func:`thread_metrics` summarises outcomes (overall, by platform and by type of thread).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hearth.domain.metrics.common import People, percentile, ratio, rounded

ThreadKey = tuple[str, str, str]
"""``(platform, target type, target id)`` of a thread."""

OPENING_KINDS = ("thread.started", "question.asked", "issue.opened", "ticket.opened")
REPLY_KINDS = (
    "thread.replied",
    "answer.posted",
    "comment.posted",
    "issue.commented",
    "message.posted",
    "ticket.replied",
)
RESOLUTION_KINDS = ("thread.solved", "answer.accepted", "issue.closed", "ticket.closed")


def thread_type(kind: str, target_type: str) -> str:
    """The type a thread is reported under: topic, discussion, question, issue or ticket."""
    if kind == "question.asked":
        return "question"
    if kind == "issue.opened":
        return "issue"
    if kind == "ticket.opened":
        return "ticket"
    return "discussion" if target_type == "discussion" else "topic"


@dataclass(frozen=True, slots=True)
class ThreadOpened:
    """A thread opened in the period, with what the ledger recorded about it."""

    key: ThreadKey
    kind: str
    opened_at: datetime
    opener: int | None
    title: str | None = None
    tags: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    category: str | None = None
    views: int | None = None
    recorded_reactions: int = 0  # likes/reactions the platform counted on the opening post

    @property
    def platform(self) -> str:
        return self.key[0]

    @property
    def type(self) -> str:
        return thread_type(self.kind, self.key[1])


@dataclass(frozen=True, slots=True)
class ThreadReply:
    """A reply in a thread (an answer, a comment, a message in its channel)."""

    key: ThreadKey
    member_id: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ThreadResolved:
    """A thread was resolved: an accepted answer, a solved mark, a close."""

    key: ThreadKey
    at: datetime


@dataclass(frozen=True, slots=True)
class ThreadReaction:
    """A reaction recorded as an activity on a thread's opening post."""

    key: ThreadKey
    member_id: int | None


ThreadEvent = ThreadReply | ThreadResolved | ThreadReaction


@dataclass(slots=True)
class ThreadOutcome:
    """What became of one thread."""

    opening: ThreadOpened
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    replies: int = 0
    reactions: int = 0

    @property
    def response_time(self) -> timedelta | None:
        if self.first_response_at is None:
            return None
        return max(self.first_response_at - self.opening.opened_at, timedelta(0))

    @property
    def close_time(self) -> timedelta | None:
        if self.resolved_at is None:
            return None
        return max(self.resolved_at - self.opening.opened_at, timedelta(0))


def summarize_threads(
    openings: Iterable[ThreadOpened], events: Iterable[ThreadEvent], people: People
) -> list[ThreadOutcome]:
    """One outcome per thread opened by a counted actor, in opening order.

    Threads opened by bots are left out (unless ``people.include_bots``). Replies by the opener
    (the same member, on any of their linked identities) or by bots do not count as responses;
    bots' replies and reactions are not counted as engagement either. Events of threads not in
    ``openings`` are ignored.
    """
    acts = people.acts
    outcomes: dict[ThreadKey, ThreadOutcome] = {}
    for opening in openings:
        if acts(opening.opener) and opening.key not in outcomes:
            outcomes[opening.key] = ThreadOutcome(opening, reactions=opening.recorded_reactions)
    get = outcomes.get
    for event in events:
        outcome = get(event.key)
        if outcome is None:
            continue
        if type(event) is ThreadReply:
            if not acts(event.member_id):
                continue
            outcome.replies += 1
            opener = outcome.opening.opener
            if opener is not None and event.member_id == opener:
                continue
            if outcome.first_response_at is None or event.at < outcome.first_response_at:
                outcome.first_response_at = event.at
        elif isinstance(event, ThreadResolved):
            if outcome.resolved_at is None or event.at < outcome.resolved_at:
                outcome.resolved_at = event.at
        elif acts(event.member_id):
            outcome.reactions += 1
    return sorted(outcomes.values(), key=lambda o: (o.opening.opened_at, o.opening.key))


@dataclass(frozen=True, slots=True)
class ThreadStats:
    """Response and resolution figures over a set of threads."""

    threads: int
    responded: int
    median_hours: float | None
    p90_hours: float | None
    resolved: int
    close_median_hours: float | None
    close_p90_hours: float | None

    @property
    def response_rate(self) -> float | None:
        return ratio(self.responded, self.threads)

    @property
    def resolution_rate(self) -> float | None:
        return ratio(self.resolved, self.threads)

    def response_dict(self) -> dict[str, Any]:
        return {
            "threads": self.threads,
            "responded": self.responded,
            "median_hours": rounded(self.median_hours),
            "p90_hours": rounded(self.p90_hours),
            "response_rate": rounded(self.response_rate),
            "resolved": self.resolved,
            "resolution_rate": rounded(self.resolution_rate),
        }


def thread_stats(outcomes: Iterable[ThreadOutcome]) -> ThreadStats:
    """Counts, median and 90th percentile (see :func:`~.common.percentile`) of ``outcomes``."""
    return _stats([_delays(outcome) for outcome in outcomes])


def _delays(outcome: ThreadOutcome) -> tuple[float | None, float | None]:
    """Hours to the first response and to the resolution (None when there was none)."""
    opened = outcome.opening.opened_at
    response, resolved = outcome.first_response_at, outcome.resolved_at
    return (
        None if response is None else max((response - opened).total_seconds(), 0.0) / 3600.0,
        None if resolved is None else max((resolved - opened).total_seconds(), 0.0) / 3600.0,
    )


def _stats(delays: list[tuple[float | None, float | None]]) -> ThreadStats:
    response = [r for r, _c in delays if r is not None]
    close = [c for _r, c in delays if c is not None]
    response.sort()
    close.sort()
    return ThreadStats(
        threads=len(delays),
        responded=len(response),
        median_hours=percentile(response, 0.5, presorted=True),
        p90_hours=percentile(response, 0.9, presorted=True),
        resolved=len(close),
        close_median_hours=percentile(close, 0.5, presorted=True),
        close_p90_hours=percentile(close, 0.9, presorted=True),
    )


@dataclass(frozen=True, slots=True)
class ThreadMetrics:
    """The thread metrics of a period: overall, by platform and by type of thread."""

    overall: ThreadStats
    by_platform: Mapping[str, ThreadStats] = field(default_factory=dict)
    by_type: Mapping[str, ThreadStats] = field(default_factory=dict)

    def time_to_first_response(self) -> dict[str, Any]:
        figures = self.overall.response_dict()
        return {
            "threads": figures["threads"],
            "responded": figures["responded"],
            "median_hours": figures["median_hours"],
            "p90_hours": figures["p90_hours"],
            "by_platform": {k: v.response_dict() for k, v in self.by_platform.items()},
            "by_type": {k: v.response_dict() for k, v in self.by_type.items()},
        }

    def time_to_close(self) -> dict[str, Any]:
        return {
            "resolved": self.overall.resolved,
            "median_hours": rounded(self.overall.close_median_hours),
            "p90_hours": rounded(self.overall.close_p90_hours),
        }


def thread_metrics(outcomes: Iterable[ThreadOutcome]) -> ThreadMetrics:
    """Summarise ``outcomes`` overall, per platform and per type of thread."""
    every: list[tuple[float | None, float | None]] = []
    platforms: dict[str, list[tuple[float | None, float | None]]] = {}
    types: dict[str, list[tuple[float | None, float | None]]] = {}
    for outcome in outcomes:
        delays = _delays(outcome)
        every.append(delays)
        platforms.setdefault(outcome.opening.platform, []).append(delays)
        types.setdefault(outcome.opening.type, []).append(delays)
    return ThreadMetrics(
        overall=_stats(every),
        by_platform={k: _stats(v) for k, v in sorted(platforms.items())},
        by_type={k: _stats(v) for k, v in sorted(types.items())},
    )
