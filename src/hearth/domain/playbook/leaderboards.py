"""Leaderboards: members (or targets) ranked by a measure over calendar or rolling windows."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from hearth.domain.playbook.base import (
    ItemKey,
    Key,
    Match,
    NonNegativeInt,
    PlaybookModel,
    PositiveInt,
    Text,
    TypeLabel,
)
from hearth.domain.playbook.durations import MonthsNotAllowed, parse_duration

NAMED_WINDOWS: dict[str, str] = {
    "this_week": "the current ISO week (Monday to Sunday, UTC)",
    "last_week": "the previous ISO week",
    "this_month": "the current calendar month (UTC)",
    "last_month": "the previous calendar month",
    "this_quarter": "the current calendar quarter",
    "this_year": "the current calendar year",
    "all_time": "everything",
}


def _check_window(value: str) -> str:
    if value in NAMED_WINDOWS:
        return value
    try:
        parse_duration(value)
    except MonthsNotAllowed:
        raise ValueError(
            f"{value!r}: months are not durations; for calendar months use this_month or "
            "last_month, for a rolling window write days such as 30d"
        ) from None
    except ValueError:
        raise ValueError(
            f"expected {', '.join(NAMED_WINDOWS)} or a rolling duration such as 30d, got {value!r}"
        ) from None
    return value


Window = Annotated[str, AfterValidator(_check_window), TypeLabel("window")]
"""A named calendar window (``this_month``) or a rolling duration (``30d``)."""


def rolling_window(window: str) -> timedelta | None:
    """The span of a rolling window (``30d``), or None for a named calendar window."""
    return None if window in NAMED_WINDOWS else parse_duration(window)


class CountMeasure(PlaybookModel):
    """Rank by matching activities."""

    type: Literal["count"] = Field(description="`count`.")
    match: Match = Field(description="The activities counted, and for whom.")
    distinct_by: ItemKey | None = Field(
        default=None, description="Count distinct values of this instead of activities."
    )


class PointsMeasure(PlaybookModel):
    """Rank by points gained in the window."""

    type: Literal["points"] = Field(description="`points`.")
    rules: list[Key] | None = Field(
        default=None, description="Only points from these rules; null: all points."
    )


class HelpedMeasure(PlaybookModel):
    """Rank by distinct members helped in the window."""

    type: Literal["helped"] = Field(description="`helped`.")
    via: list[Key] | None = Field(default=None, description="Only these `helped` rules.")


Measure = Annotated[CountMeasure | PointsMeasure | HelpedMeasure, Field(discriminator="type")]


class Prize(PlaybookModel):
    """A reward for a place on a leaderboard."""

    place: PositiveInt = Field(description="1 = first.")
    reward: Text = Field(description="What is given.")
    usd: NonNegativeInt | None = Field(default=None, description="Its value in US$, if any.")


class Leaderboard(PlaybookModel):
    """A ranking of members (or of targets) by a measure over windows."""

    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Name shown to members.")
    description: str | None = Field(default=None, description="How it is measured, in words.")
    measure: Measure = Field(description="What is ranked.")
    windows: list[Window] = Field(
        min_length=1,
        description="Periods shown: " + ", ".join(f"`{w}`" for w in NAMED_WINDOWS) + ", or a "
        "rolling duration such as `30d`.",
    )
    group_by: Literal["member", "target"] = Field(
        default="member",
        description="`member`: rank members; `target`: rank the activities' targets "
        "(repositories, suggestions) — only with a `count` measure.",
    )
    size: PositiveInt = Field(default=10, description="How many places are shown.")
    include_staff: bool = Field(
        default=False, description="Rank staff too (bots and banned members never are)."
    )
    prizes: list[Prize] = Field(default_factory=list, description="Rewards by place.")

    @model_validator(mode="after")
    def _consistent(self) -> Leaderboard:
        if self.group_by == "target" and not isinstance(self.measure, CountMeasure):
            raise ValueError("group_by: target needs a count measure")
        return self
