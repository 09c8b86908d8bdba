"""Periods, months and weeks, percentiles and growth rates."""

import statistics
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.domain.metrics.common import (
    People,
    Period,
    add_months,
    compound_growth,
    months_apart,
    months_between,
    percentile,
)


def test_percentile_is_linear_interpolation_between_closest_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([4, 1, 3, 2], 0.5) == 2.5  # order does not matter
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == pytest.approx(9.1)
    assert percentile([1, 2], 0.0) == 1.0 and percentile([1, 2], 1.0) == 2.0
    with pytest.raises(ValueError):
        percentile([1], 1.5)


@given(st.lists(st.floats(0, 1e6), min_size=2, max_size=60))
def test_percentile_agrees_with_the_standard_library(values: list[float]) -> None:
    assert percentile(values, 0.5) == pytest.approx(statistics.median(values))
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    assert percentile(values, 0.9) == pytest.approx(p90, rel=1e-9, abs=1e-9)


def test_a_period_is_half_open_and_knows_its_complete_months_and_weeks() -> None:
    period = Period(datetime(2024, 1, 15, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
    assert datetime(2024, 1, 15, tzinfo=UTC) in period
    assert datetime(2024, 4, 1, tzinfo=UTC) not in period
    assert period.months() == ["2024-01", "2024-02", "2024-03"]
    assert period.complete_months() == ["2024-02", "2024-03"]
    weeks = period.complete_weeks()
    assert weeks[0] == date(2024, 1, 15) and weeks[-1] == date(2024, 3, 25)


def test_a_period_needs_aware_ordered_bounds() -> None:
    with pytest.raises(ValueError):
        Period(datetime(2024, 1, 1), datetime(2024, 2, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        Period(datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC))
    empty = Period(datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
    assert empty.months() == [] and empty.complete_weeks() == []


def test_month_arithmetic() -> None:
    assert add_months("2024-11", 3) == "2025-02"
    assert add_months("2024-01", -1) == "2023-12"
    assert months_apart("2023-11", "2024-02") == 3
    assert list(months_between("2023-11", "2024-01")) == ["2023-11", "2023-12", "2024-01"]


def test_compound_growth() -> None:
    assert compound_growth(100, 121, 2) == pytest.approx(0.1)
    assert compound_growth(0, 10, 2) is None
    assert compound_growth(10, 10, 0) is None


def test_who_counts() -> None:
    people = People(bots=frozenset({1}), staff=frozenset({2}))
    assert not people.acts(1) and people.acts(2) and people.acts(None)
    assert not people.counted(1) and not people.counted(2) and people.counted(3)
    assert not people.counted(None)
    both = People(
        bots=frozenset({1}), staff=frozenset({2}), include_bots=True, staff_in_counts=True
    )
    assert both.counted(1) and both.counted(2)
