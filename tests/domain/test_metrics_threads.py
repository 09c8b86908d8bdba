"""Threads: time to first response, response and resolution rates, time to close."""

from datetime import UTC, datetime, timedelta

import pytest

from hearth.domain.metrics.common import People
from hearth.domain.metrics.threads import (
    ThreadOpened,
    ThreadReaction,
    ThreadReply,
    ThreadResolved,
    summarize_threads,
    thread_metrics,
    thread_type,
)

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
NOBODY = People()


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def topic(
    n: int,
    opener: int | None = 1,
    *,
    platform: str = "discourse",
    kind: str = "thread.started",
    target_type: str = "thread",
    opened: float = 0.0,
) -> ThreadOpened:
    return ThreadOpened((platform, target_type, str(n)), kind, at(opened), opener)


def key(n: int, platform: str = "discourse", target_type: str = "thread") -> tuple[str, str, str]:
    return (platform, target_type, str(n))


def test_no_threads_gives_counts_of_zero_and_no_times() -> None:
    metrics = thread_metrics(summarize_threads([], [], NOBODY))
    first = metrics.time_to_first_response()
    assert first["threads"] == 0 and first["responded"] == 0
    assert first["median_hours"] is None and first["p90_hours"] is None
    assert metrics.overall.response_rate is None
    assert metrics.overall.resolution_rate is None
    assert metrics.time_to_close() == {"resolved": 0, "median_hours": None, "p90_hours": None}


def test_first_response_is_the_earliest_reply_by_someone_else() -> None:
    events = [
        ThreadReply(key(1), 1, at(0.5)),  # the opener adding details: not a response
        ThreadReply(key(1), 3, at(5)),
        ThreadReply(key(1), 2, at(2)),  # the earliest by someone else
        ThreadReply(key(1), 3, at(3)),
    ]
    (outcome,) = summarize_threads([topic(1)], events, NOBODY)
    assert outcome.first_response_at == at(2)
    assert outcome.response_time == timedelta(hours=2)
    assert outcome.replies == 4  # every reply is engagement, the opener's too


def test_a_thread_where_only_the_opener_replied_is_unanswered() -> None:
    events = [ThreadReply(key(1), 1, at(1)), ThreadReply(key(1), 1, at(2))]
    metrics = thread_metrics(summarize_threads([topic(1)], events, NOBODY))
    assert (metrics.overall.threads, metrics.overall.responded) == (1, 0)
    assert metrics.overall.response_rate == 0.0


def test_bots_replies_do_not_count_and_bots_threads_are_left_out() -> None:
    people = People(bots=frozenset({9}))
    openings = [topic(1), topic(2, opener=9)]
    events = [
        ThreadReply(key(1), 9, at(0.1)),  # an auto-responder
        ThreadReply(key(1), 2, at(3)),
        ThreadReply(key(2), 2, at(1)),
        ThreadReaction(key(1), 9),
    ]
    outcomes = summarize_threads(openings, events, people)
    assert [o.opening.key for o in outcomes] == [key(1)]
    assert outcomes[0].first_response_at == at(3)
    assert outcomes[0].replies == 1 and outcomes[0].reactions == 0

    with_bots = summarize_threads(openings, events, People(bots=frozenset({9}), include_bots=True))
    assert len(with_bots) == 2
    assert with_bots[0].first_response_at == at(0.1)


def test_staff_replies_are_responses() -> None:
    people = People(staff=frozenset({5}))
    (outcome,) = summarize_threads([topic(1)], [ThreadReply(key(1), 5, at(1))], people)
    assert outcome.first_response_at == at(1)


def test_an_unknown_replier_is_someone_else_and_an_unknown_opener_anyone_answers() -> None:
    events = [ThreadReply(key(1), None, at(2)), ThreadReply(key(2), 1, at(3))]
    outcomes = summarize_threads([topic(1), topic(2, opener=None)], events, NOBODY)
    assert [o.first_response_at for o in outcomes] == [at(2), at(3)]


def test_a_reply_dated_before_the_opening_is_an_immediate_response() -> None:
    (outcome,) = summarize_threads([topic(1)], [ThreadReply(key(1), 2, at(-3))], NOBODY)
    assert outcome.response_time == timedelta(0)


def test_resolution_is_the_earliest_resolving_event_by_anyone() -> None:
    events = [ThreadResolved(key(1), at(30)), ThreadResolved(key(1), at(10))]
    metrics = thread_metrics(summarize_threads([topic(1), topic(2)], events, NOBODY))
    assert metrics.overall.resolved == 1
    assert metrics.overall.resolution_rate == 0.5
    assert metrics.time_to_close()["median_hours"] == 10.0


def test_events_of_unknown_threads_are_ignored_and_duplicate_openings_count_once() -> None:
    events = [ThreadReply(key(7), 2, at(1)), ThreadResolved(key(7), at(1))]
    outcomes = summarize_threads([topic(1), topic(1, opened=5)], events, NOBODY)
    assert len(outcomes) == 1 and outcomes[0].first_response_at is None


def test_median_and_90th_percentile_interpolate_between_ranks() -> None:
    openings = [topic(n) for n in range(1, 6)]
    delays = [1, 2, 3, 4, 10]
    events = [ThreadReply(key(n), 2, at(d)) for n, d in zip(range(1, 6), delays, strict=True)]
    stats = thread_metrics(summarize_threads(openings, events, NOBODY)).overall
    assert stats.median_hours == 3.0
    assert stats.p90_hours == pytest.approx(4 + 0.6 * (10 - 4))  # position 3.6 of 0..4


def test_ties_give_the_same_figures_whatever_the_order() -> None:
    openings = [topic(n) for n in range(1, 5)]
    events = [ThreadReply(key(n), 2, at(2)) for n in range(1, 5)]
    forward = thread_metrics(summarize_threads(openings, events, NOBODY)).overall
    backward = thread_metrics(summarize_threads(openings[::-1], events[::-1], NOBODY)).overall
    assert forward == backward
    assert forward.median_hours == forward.p90_hours == 2.0


def test_figures_by_platform_and_by_type() -> None:
    openings = [
        topic(1),
        topic(2, platform="stackexchange", kind="question.asked", target_type="post"),
        topic(3, platform="github", kind="issue.opened", target_type="issue"),
        topic(4, platform="github", kind="thread.started", target_type="discussion"),
        topic(5, platform="discord", kind="ticket.opened", target_type="ticket"),
    ]
    events = [
        ThreadReply(key(2, "stackexchange", "post"), 2, at(4)),
        ThreadReply(key(5, "discord", "ticket"), 2, at(20)),
        ThreadResolved(key(3, "github", "issue"), at(1)),
    ]
    metrics = thread_metrics(summarize_threads(openings, events, NOBODY))
    assert set(metrics.by_platform) == {"discord", "discourse", "github", "stackexchange"}
    assert set(metrics.by_type) == {"discussion", "issue", "question", "ticket", "topic"}
    assert metrics.by_type["ticket"].median_hours == 20.0
    assert metrics.by_platform["github"].threads == 2
    assert metrics.by_platform["github"].resolved == 1
    first = metrics.time_to_first_response()
    assert first["by_type"]["question"]["median_hours"] == 4.0


def test_reactions_add_to_what_the_platform_counted() -> None:
    opening = ThreadOpened(key(1), "thread.started", T0, 1, recorded_reactions=3)
    events = [ThreadReaction(key(1), 2), ThreadReaction(key(1), None)]
    (outcome,) = summarize_threads([opening], events, NOBODY)
    assert outcome.reactions == 5


def test_thread_types() -> None:
    assert thread_type("thread.started", "thread") == "topic"
    assert thread_type("thread.started", "discussion") == "discussion"
    assert thread_type("question.asked", "post") == "question"
    assert thread_type("issue.opened", "issue") == "issue"
    assert thread_type("ticket.opened", "ticket") == "ticket"
