"""Contributors: active and new per month, growth, and the Contributor Absence Factor."""

from datetime import UTC, datetime

import pytest

from hearth.domain.metrics.common import KindMonth, People, Period
from hearth.domain.metrics.contributors import (
    contribution_kinds,
    contributor_absence_factor,
    contributor_metrics,
)

KINDS = contribution_kinds()
JAN = Period(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
Q1 = Period(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))


def row(member: int, month: str, count: int = 1, *, inside: int | None = None,
        kind: str = "pr.merged", platform: str = "github", day: int = 10) -> KindMonth:  # fmt: skip
    first = datetime(int(month[:4]), int(month[5:]), day, tzinfo=UTC)
    return KindMonth(
        member, platform, kind, month, first, count, count if inside is None else inside
    )


def test_contribution_kinds_come_from_the_vocabulary() -> None:
    assert {"commit.authored", "pr.opened", "pr.merged", "issue.opened"} <= KINDS
    assert "message.posted" not in KINDS and "issue.commented" not in KINDS


def test_absence_factor_is_the_fewest_people_making_half_of_the_contributions() -> None:
    assert contributor_absence_factor({}) == 0
    assert contributor_absence_factor({1: 10}) == 1
    assert contributor_absence_factor({1: 5, 2: 5}) == 1  # exactly half is enough
    assert contributor_absence_factor({1: 4, 2: 3, 3: 3}) == 2
    assert contributor_absence_factor({n: 1 for n in range(10)}) == 5


def test_absence_factor_does_not_depend_on_how_ties_are_ordered() -> None:
    counts = {1: 3, 2: 3, 3: 3, 4: 1}
    reordered = dict(reversed(list(counts.items())))
    assert contributor_absence_factor(counts) == contributor_absence_factor(reordered) == 2


def test_nothing_contributed() -> None:
    figures = contributor_metrics([], People(), JAN, KINDS)
    assert (figures.active, figures.new, figures.contributions, figures.bus_factor) == (0, 0, 0, 0)
    assert figures.growth is None


def test_active_and_new_contributors_per_month() -> None:
    rows = [
        row(1, "2023-12", inside=0),  # contributed before: active in January, not new
        row(1, "2024-01", 2),
        row(2, "2024-01"),
        row(2, "2024-02"),
        row(3, "2024-03", kind="commit.authored", platform="git"),
        row(4, "2024-02", kind="message.posted"),  # not a contribution
    ]
    figures = contributor_metrics(rows, People(), Q1, KINDS)
    assert figures.active_by_month == {"2024-01": 2, "2024-02": 1, "2024-03": 1}
    assert figures.new_by_month == {"2024-01": 1, "2024-02": 0, "2024-03": 1}
    assert figures.total_by_month == {"2024-01": 2, "2024-02": 2, "2024-03": 3}
    assert figures.growth_by_month == {"2024-01": 1.0, "2024-02": 0.0, "2024-03": 0.5}
    assert figures.active_growth_by_month == {"2024-02": -0.5, "2024-03": 0.0}
    assert (figures.active, figures.new, figures.contributions) == (3, 2, 5)
    assert figures.growth == pytest.approx((3 / 1) ** (1 / 3) - 1)


def test_platform_filter() -> None:
    rows = [row(1, "2024-01"), row(2, "2024-01", kind="commit.authored", platform="git")]
    figures = contributor_metrics(rows, People(), JAN, KINDS, platform="git")
    assert figures.active == 1 and figures.contributions == 1


def test_only_contributions_inside_the_period_count() -> None:
    rows = [row(1, "2024-01", 5, inside=2)]
    figures = contributor_metrics(rows, People(), JAN, KINDS)
    assert figures.contributions == 2


def test_bots_are_left_out_and_staff_counted_only_in_the_absence_factor() -> None:
    people = People(bots=frozenset({8}), staff=frozenset({9}))
    rows = [row(8, "2024-01", 100), row(9, "2024-01", 10), row(1, "2024-01", 2), row(2, "2024-01")]
    figures = contributor_metrics(rows, people, JAN, KINDS)
    assert figures.active == 2  # the staff member is left out of the count
    assert figures.contributions == 13  # but not out of the contributions
    assert figures.bus_factor == 1  # the staff member made 10 of 13
