"""Vote counting, poll results and contest ranking: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearth.domain.voting import (
    Entry,
    merge_votes,
    one_per_person,
    poll_results,
    rank_contest,
    tally,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_tally_is_up_minus_down() -> None:
    counted = tally([1, 1, -1, 1])
    assert (counted.up, counted.down, counted.score, counted.votes) == (3, 1, 2, 4)
    assert tally([]).score == 0
    with pytest.raises(ValueError):
        tally([2])


def test_merge_keeps_one_vote_per_voter() -> None:
    move = merge_votes(["a", "b"], ["b", "c", "d"])
    assert move.moved == ("c", "d") and move.dropped == ("b",)


def test_poll_results_and_ties() -> None:
    rows = poll_results(["x", "y", "z"], [0, 1, 1, 0])
    assert [(r.votes, r.percent, r.winner) for r in rows] == [
        (2, 50.0, True),
        (2, 50.0, True),
        (0, 0.0, False),
    ]
    assert not any(r.winner for r in poll_results(["x", "y"], []))
    with pytest.raises(ValueError):
        poll_results(["x"], [1])


def test_contest_ranks_by_score_then_earliest() -> None:
    entries = [
        Entry(1, 10, T0 + timedelta(hours=2), 5),
        Entry(2, 11, T0 + timedelta(hours=1), 5),
        Entry(3, 12, T0, 9),
        Entry(4, None, T0, 20),  # erased author: does not place
        Entry(5, 13, T0, 0),  # below min_score
    ]
    placed = rank_contest(entries, 3)
    assert [(p.place, p.entry.suggestion_id) for p in placed] == [(1, 3), (2, 2), (3, 1)]
    assert rank_contest(entries, 5, min_score=6)[0].entry.suggestion_id == 3


def test_one_person_one_vote() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    later = t0 + timedelta(hours=1)
    votes = [
        ("a", 1, t0, 1),  # person 1 on a, then again later: the later one counts
        ("a", 1, later, -1),
        ("a", 2, t0, 1),
        ("b", 1, t0, 1),  # another item: counted apart
        ("a", None, t0, 1),  # no known person (erased): every such vote counts
        ("a", None, t0, 1),
        ("b", 3, later, 1),  # a tie on the time: the vote given later wins
        ("b", 3, later, -1),
    ]
    assert sorted(one_per_person(votes)) == sorted(
        [("a", -1), ("a", 1), ("b", 1), ("a", 1), ("a", 1), ("b", -1)]
    )
    assert one_per_person([]) == []
