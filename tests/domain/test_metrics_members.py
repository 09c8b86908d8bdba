"""Members: totals, new per month, growth, weekly active share, retention by cohort."""

from datetime import UTC, date, datetime, timedelta

import pytest

from hearth.domain.metrics.common import People, Period, week_of
from hearth.domain.metrics.members import (
    MemberActivity,
    MemberHistory,
    member_histories,
    member_metrics,
    retention,
)


def moment(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def seen(member: int, day: str, platform: str = "discord") -> MemberActivity:
    when = moment(day)
    return MemberActivity(member, platform, day[:7], week_of(when), when)


def period(since: str, until: str) -> Period:
    return Period(moment(since, 0), moment(until, 0))


def history(*rows: MemberActivity, people: People | None = None) -> MemberHistory:
    return member_histories(rows, people or People(), [None])[None]


def test_an_empty_ledger_has_no_members_and_no_rates() -> None:
    figures = member_metrics(MemberHistory(), period("2024-01-01", "2024-03-01"))
    assert figures.total == 0 and figures.new == 0
    assert figures.new_by_month == {"2024-01": 0, "2024-02": 0}
    assert figures.growth is None
    assert figures.weekly_active_share is None
    assert figures.retention == []


def test_join_is_the_first_activity_and_counts_leave_out_bots_and_staff() -> None:
    people = People(bots=frozenset({8}), staff=frozenset({9}))
    rows = [
        seen(1, "2024-01-10"),
        seen(1, "2024-01-03", "github"),  # earlier, on another platform
        seen(2, "2024-02-05"),
        seen(8, "2024-01-05"),
        seen(9, "2024-01-05"),
    ]
    member_history = history(*rows, people=people)
    assert member_history.first_seen == {1: moment("2024-01-03"), 2: moment("2024-02-05")}
    figures = member_metrics(member_history, period("2024-01-01", "2024-03-01"))
    assert figures.total == 2
    assert figures.new_by_month == {"2024-01": 1, "2024-02": 1}
    assert figures.total_by_month == {"2024-01": 1, "2024-02": 2}

    counted = People(bots=frozenset({8}), staff=frozenset({9}), staff_in_counts=True)
    assert set(history(*rows, people=counted).first_seen) == {1, 2, 9}


def test_scopes_keep_one_platform_apart() -> None:
    rows = [seen(1, "2024-01-10", "discord"), seen(2, "2024-01-11", "github")]
    histories = member_histories(rows, People(), [None, "discord", "github"])
    assert set(histories[None].first_seen) == {1, 2}
    assert set(histories["discord"].first_seen) == {1}
    assert set(histories["github"].first_seen) == {2}


def test_new_members_before_the_period_count_in_the_total_only() -> None:
    rows = [seen(1, "2023-12-20"), seen(2, "2024-01-15"), seen(3, "2024-03-02")]
    figures = member_metrics(history(*rows), period("2024-01-01", "2024-03-01"))
    assert (figures.total, figures.new) == (2, 1)


def test_month_over_month_growth_and_the_compound_headline() -> None:
    # 10 members by the end of January, 12 by February (+20%), 18 by March (+50%).
    rows = [seen(n, "2024-01-05") for n in range(10)]
    rows += [seen(n, "2024-02-05") for n in range(10, 12)]
    rows += [seen(n, "2024-03-05") for n in range(12, 18)]
    figures = member_metrics(history(*rows), period("2024-01-01", "2024-04-01"))
    assert figures.growth_by_month == {"2024-01": None, "2024-02": 0.2, "2024-03": 0.5}
    # From 10 at the start of February to 18 at the end of March: two months.
    assert figures.growth == pytest.approx((18 / 10) ** 0.5 - 1)


def test_partial_months_have_no_growth() -> None:
    rows = [seen(1, "2024-01-05"), seen(2, "2024-02-20")]
    figures = member_metrics(history(*rows), period("2024-01-15", "2024-02-25"))
    assert figures.growth_by_month == {}
    assert figures.growth is None
    assert figures.new_by_month == {"2024-01": 0, "2024-02": 1}


def test_weekly_active_share_over_complete_weeks() -> None:
    # 2024-01-01 is a Monday. Member 1 joins in week 1 and is active in weeks 1 and 2;
    # member 2 joins in week 2. Week 1: 1 of 1 active; week 2: 2 of 2; week 3: 0 of 2.
    rows = [seen(1, "2024-01-02"), seen(1, "2024-01-09"), seen(2, "2024-01-10")]
    figures = member_metrics(history(*rows), period("2024-01-01", "2024-01-25"))
    assert list(figures.weekly_active) == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert figures.weekly_active["2024-01-15"] == {"active": 0, "members": 2, "share": 0.0}
    assert figures.weekly_active_share == pytest.approx((1 + 1 + 0) / 3)


def test_a_member_active_on_two_platforms_in_a_week_is_one_active_member() -> None:
    rows = [seen(1, "2024-01-02", "discord"), seen(1, "2024-01-03", "github")]
    figures = member_metrics(history(*rows), period("2024-01-01", "2024-01-08"))
    assert figures.weekly_active["2024-01-01"]["active"] == 1


def test_retention_by_join_month_cohort() -> None:
    rows = [
        seen(1, "2024-01-05"),
        seen(1, "2024-02-05"),
        seen(2, "2024-01-06"),
        seen(2, "2024-03-06"),
        seen(3, "2024-02-10"),
        seen(3, "2024-03-10"),
    ]
    cohorts = retention(history(*rows), period("2024-01-01", "2024-04-01"))
    assert cohorts == [
        {"cohort": "2024-01", "members": 2, "retained": [0.5, 0.5]},
        {"cohort": "2024-02", "members": 1, "retained": [1.0]},
    ]


def test_retention_stops_at_twelve_months() -> None:
    rows = [seen(1, "2023-01-05")]
    cohorts = retention(history(*rows), period("2023-01-01", "2025-01-01"))
    assert len(cohorts[0]["retained"]) == 12


def test_week_of_is_the_monday() -> None:
    assert week_of(moment("2024-01-07")) == date(2024, 1, 1)
    assert week_of(moment("2024-01-08", 0) - timedelta(microseconds=1)) == date(2024, 1, 1)
    assert week_of(moment("2024-01-08", 0)) == date(2024, 1, 8)
