"""Net Promoter Score."""

from datetime import UTC, datetime, timedelta

from hearth.domain.metrics.common import Period
from hearth.domain.metrics.nps import NpsAnswer, nps, valid_score

T0 = datetime(2024, 4, 1, tzinfo=UTC)
Q2 = Period(T0, datetime(2024, 7, 1, tzinfo=UTC))


def answer(score: int, member: int | None = None, days: int = 1) -> NpsAnswer:
    return NpsAnswer(score, T0 + timedelta(days=days), member)


def test_promoters_minus_detractors_in_percent() -> None:
    answers = [answer(10), answer(9), answer(8), answer(7), answer(6), answer(0)]
    assert nps(answers, Q2) == {
        "answers": 6,
        "promoters": 2,
        "passives": 2,
        "detractors": 2,
        "score": 0.0,
    }
    assert nps([answer(9), answer(10), answer(3)], Q2)["score"] == 33.33


def test_no_answers_no_score() -> None:
    assert nps([], Q2)["score"] is None


def test_a_members_latest_answer_in_the_period_counts_and_others_are_ignored() -> None:
    answers = [
        answer(2, member=1, days=1),
        answer(10, member=1, days=20),  # changed their mind
        answer(0, member=2, days=-5),  # before the period
        answer(9, days=3),
        answer(9, days=3),  # anonymous answers each count
    ]
    result = nps(answers, Q2)
    assert (result["answers"], result["promoters"], result["detractors"]) == (3, 3, 0)
    assert result["score"] == 100.0


def test_valid_scores() -> None:
    assert valid_score(0) and valid_score(10)
    assert not valid_score(11) and not valid_score(-1) and not valid_score(True)
