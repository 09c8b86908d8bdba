"""Recognition tiers: requirements (all must hold), benefits, and grace before demotion."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from hearth.domain.playbook.base import (
    Duration,
    ItemKey,
    Key,
    Match,
    NonNegativeInt,
    PlaybookModel,
    PositiveInt,
    Text,
)


class RequirementBase(PlaybookModel):
    """What every tier requirement has."""

    label: str | None = Field(
        default=None,
        description='What is counted, for progress lines ("2 more *members helped*").',
    )


class CountRequirement(RequirementBase):
    """At least N matching activities (optionally within a rolling window)."""

    type: Literal["count"] = Field(description="`count`.")
    match: Match = Field(description="The activities counted, and for whom.")
    at_least: PositiveInt = Field(description="How many are needed.")
    distinct_by: ItemKey | None = Field(
        default=None, description="Count distinct values of this instead of activities."
    )
    within: Duration | None = Field(
        default=None, description="Only activities this recent; null: all time."
    )


class HelpedRequirement(RequirementBase):
    """Helped at least N distinct members."""

    type: Literal["helped"] = Field(description="`helped`.")
    at_least: PositiveInt = Field(description="Distinct members helped.")
    via: list[Key] | None = Field(default=None, description="Only these `helped` rules.")
    within: Duration | None = Field(default=None, description="Only help this recent.")


class PointsRequirement(RequirementBase):
    """At least N points (in total, or gained within a rolling window)."""

    type: Literal["points"] = Field(description="`points`.")
    at_least: int = Field(description="Points needed.")
    within: Duration | None = Field(default=None, description="Points gained this recently.")


class TenureRequirement(RequirementBase):
    """A member for at least this long (on one platform, or anywhere)."""

    type: Literal["tenure"] = Field(description="`tenure`.")
    at_least: Duration = Field(description="Time since joining.")
    platform: str | None = Field(
        default=None,
        description="Joined this platform (the member's first activity there, a "
        "`member.joined` or anything else); null: the community (first activity anywhere).",
    )


class ActiveDaysRequirement(RequirementBase):
    """Active on at least N distinct UTC days (optionally within a rolling window)."""

    type: Literal["active_days"] = Field(description="`active_days`.")
    at_least: PositiveInt = Field(description="Distinct days with at least one activity.")
    within: Duration | None = Field(
        default=None,
        description="Only recent days: a day counts until this long after it ends (with 30d, "
        "activity on 1 March counts until the end of 31 March); null: all time.",
    )
    platform: str | None = Field(default=None, description="Only activity on this platform.")


class AchievementRequirement(RequirementBase):
    """Holds a given achievement."""

    type: Literal["achievement"] = Field(description="`achievement`.")
    achievement: Key = Field(description="The achievement's key.")


class ManualRequirement(RequirementBase):
    """Confirmed by staff (something Hearth cannot see, like maintaining a package)."""

    type: Literal["manual"] = Field(description="`manual`.")
    key: Key = Field(description="Stable identifier of what staff confirm.")


Requirement = Annotated[
    CountRequirement
    | HelpedRequirement
    | PointsRequirement
    | TenureRequirement
    | ActiveDaysRequirement
    | AchievementRequirement
    | ManualRequirement,
    Field(discriminator="type"),
]

BenefitPeriod = Literal["year", "quarter", "month", "once"]


class Benefit(PlaybookModel):
    """A benefit of a tier; a plain text is the benefit's name."""

    name: Text = Field(description="The benefit as members read it.")
    budget_usd: NonNegativeInt | None = Field(
        default=None, description="Money attached to it, in US$ per `per`."
    )
    per: BenefitPeriod | None = Field(default=None, description="The budget's period.")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _budget(self) -> Benefit:
        if (self.budget_usd is None) != (self.per is None):
            raise ValueError("expected both 'budget_usd' and 'per', or neither")
        return self


class Tier(PlaybookModel):
    """A recognition tier: requirements, benefits, and grace before demotion."""

    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Name shown to members.")
    icon: str | None = Field(default=None, description="An emoji shown with the name.")
    description: str | None = Field(default=None, description="The tier in words.")
    manual: bool = Field(
        default=False,
        description="Granted only by staff (by invitation); such a tier has no requirements.",
    )
    requires: list[Requirement] = Field(
        default_factory=list, description="All must hold to reach the tier."
    )
    requires_lower: bool = Field(
        default=True,
        description="A member must also meet every lower (earlier-listed, automatic) tier.",
    )
    benefits: list[Benefit] = Field(default_factory=list, description="What holders get.")
    grace: Duration | None = Field(
        default=None,
        description="Once the requirements stop holding (a windowed one lapses), the member "
        "keeps the tier this long; null: demoted at once.",
    )

    @model_validator(mode="after")
    def _manual(self) -> Tier:
        if self.manual and self.requires:
            raise ValueError("a manual tier has no requirements (staff grant it)")
        if not self.manual and not self.requires:
            raise ValueError("expected 'requires' (or manual: true)")
        return self
