"""Achievements: counters over the ledger that, once reached, award a badge with its moment."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hearth.domain.playbook.base import (
    Duration,
    ItemKey,
    Key,
    Match,
    PlaybookModel,
    PositiveInt,
    Text,
    When,
)
from hearth.domain.playbook.points import Amount


class ItemCondition(PlaybookModel):
    """Another activity that must have happened on the same item."""

    match: When = Field(description="The activity, by anyone.")
    item: ItemKey = Field(
        default="target_id",
        description="Where that activity names the item: `target_id` or a property.",
    )
    first_response: bool = Field(
        default=False,
        description="Only if that activity was the first one matching `match` on its own "
        "target, not counting the target opener's own (the first answer to a question).",
    )


class AchievementBase(PlaybookModel):
    """What every achievement has. Staff can also award any achievement by hand."""

    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Name shown to members.")
    description: str | None = Field(default=None, description="How to earn it, in words.")
    icon: str | None = Field(default=None, description="An emoji shown with the name.")


class CountAchievement(AchievementBase):
    """Earned when a member has done something at least N times."""

    type: Literal["count"] = Field(description="`count`.")
    match: Match = Field(description="The activities counted, and for whom.")
    at_least: PositiveInt = Field(description="How many are needed.")
    distinct_by: ItemKey | None = Field(
        default=None,
        description="Count distinct values of this (`target_id` or a property) instead of "
        "activities: five bugs, not five labels.",
    )


class HelpedAchievement(AchievementBase):
    """Earned when a member has helped at least N distinct members."""

    type: Literal["helped"] = Field(description="`helped`.")
    at_least: PositiveInt = Field(description="Distinct members helped.")
    via: list[Key] | None = Field(
        default=None, description="Only help recorded by these `helped` rules; null: any."
    )


class PointsAchievement(AchievementBase):
    """Earned when a member's total points reach N."""

    type: Literal["points"] = Field(description="`points`.")
    at_least: int = Field(description="Total points needed.")


class PointsWithinAchievement(AchievementBase):
    """Earned by gaining N points within a window after joining."""

    type: Literal["points_within"] = Field(description="`points_within`.")
    window: Duration = Field(description="How long after the start the points count.")
    since: Literal["joined"] = Field(
        default="joined",
        description="Start of the window: `joined` (the member's first activity anywhere; a "
        "`member.joined` is one).",
    )
    at_least: int = Field(description="Points gained within the window.")


class PerItemAchievement(AchievementBase):
    """Earned when one item (a post, an issue) reaches a running value: an answer's score."""

    type: Literal["per_item"] = Field(description="`per_item`.")
    match: Match = Field(
        description="The activities that change an item's value, and whose "
        "item it is (`role: target_owner` for votes on a post)."
    )
    item: ItemKey = Field(
        default="target_id",
        description="What names the item: `target_id` or a property (an answer's "
        "`answer.posted` names the question as target and the answer in `post_id`).",
    )
    value: Amount = Field(
        default=1,
        description="Added to the item's running value per activity (1: count activities; "
        "`{from: vote_type, map: {up: 1, down: -1}}`: a score; `{from: views}`: a figure).",
    )
    at_least: int = Field(description="Value the item must reach.")
    repeatable: bool = Field(
        default=True,
        description="true: earned once per item reaching it; false: once, for the first item.",
    )
    also_on_item: list[ItemCondition] = Field(
        default_factory=list,
        description="Other activities that must also have happened on the same item (the "
        "answer was accepted); the award is at the moment all conditions first hold.",
    )


class ManualAchievement(AchievementBase):
    """Awarded only by staff (recorded as a ledger activity, so rebuilds keep it)."""

    type: Literal["manual"] = Field(description="`manual`.")


Achievement = Annotated[
    CountAchievement
    | HelpedAchievement
    | PointsAchievement
    | PointsWithinAchievement
    | PerItemAchievement
    | ManualAchievement,
    Field(discriminator="type"),
]
