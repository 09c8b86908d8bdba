"""Support satisfaction: the average 1-5 rating of the tickets closed in the period."""

from datetime import UTC, datetime, timedelta

from hearth.domain.metrics import health_report
from hearth.domain.metrics.common import People, Period
from hearth.domain.metrics.members import member_histories
from hearth.domain.metrics.report import MetricInputs
from hearth.domain.metrics.satisfaction import TicketRating, satisfaction
from hearth.domain.metrics.targets import Target, TargetSet

T0 = datetime(2024, 4, 1, tzinfo=UTC)
Q2 = Period(T0, datetime(2024, 7, 1, tzinfo=UTC))


def rating(value: int, days: int = 1, member: int | None = 1) -> TicketRating:
    return TicketRating(value, T0 + timedelta(days=days), member)


def test_average_and_count_of_the_period() -> None:
    ratings = [rating(5), rating(4), rating(2, days=30), rating(1, days=-1), rating(5, days=91)]
    assert satisfaction(ratings, Q2) == {"average": 3.67, "ratings": 3}


def test_no_ratings_no_average() -> None:
    assert satisfaction([], Q2) == {"average": None, "ratings": 0}
    assert satisfaction([rating(3, days=-5)], Q2) == {"average": None, "ratings": 0}


def test_bots_tickets_are_left_out_unless_asked() -> None:
    ratings = [rating(5, member=1), rating(1, member=99)]
    assert satisfaction(ratings, Q2, People(bots=frozenset({99})))["ratings"] == 1
    both = satisfaction(ratings, Q2, People(bots=frozenset({99}), include_bots=True))
    assert both == {"average": 3.0, "ratings": 2}


def test_the_report_carries_it_and_a_target_can_read_it() -> None:
    people = People()
    inputs = MetricInputs(
        period=Q2,
        people=people,
        contribution_kinds=frozenset(),
        histories=member_histories([], people, [None, "discord"]),
        ratings=[rating(4), rating(5)],
    )
    targets = TargetSet("test", (Target("satisfaction.average", ">=", 4.0),))
    report = health_report(inputs, targets)
    assert report["satisfaction"] == {"average": 4.5, "ratings": 2}
    [result] = report["targets"]["results"]
    assert (result["actual"], result["status"]) == (4.5, "green")
