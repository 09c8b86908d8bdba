"""Points rules and the helped relation: what earns points, and what counts as helping.

A :class:`Rule` pays (or costs) points for matching activities (``when``) or for help recorded
by the :class:`HelpRule` s (``on_help``), to the actor, the target's owner, the helper or the
helped member; rules can share a daily cap (:class:`CapGroup`), wait out a cooldown and apply
between dates. Amounts are fixed or read from a property (:class:`AmountFrom`, resolved by
:mod:`hearth.domain.playbook.amounts`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from hearth.domain.playbook.base import (
    Duration,
    Key,
    PlaybookModel,
    PositiveInt,
    ScalarValue,
    Text,
    TypeLabel,
    When,
)


class AmountFrom(PlaybookModel):
    """An amount read from an activity property, optionally through a table."""

    from_: Text = Field(alias="from", description="The property the amount is read from.")
    map: dict[ScalarValue, int] | None = Field(
        default=None,
        description="Property value → amount; without it the property's own whole-number "
        "value is the amount.",
    )
    default: int | None = Field(
        default=None,
        description="The amount when the property is missing or not in `map`; null: nothing "
        "is paid (or counted) then.",
    )
    negate: bool = Field(
        default=False, description="Use the opposite amount (a bounty costs its offerer)."
    )


def _amount_tag(value: Any) -> str:
    return "property" if isinstance(value, dict | AmountFrom) else "fixed"


Amount = Annotated[
    Annotated[int, Tag("fixed")] | Annotated[AmountFrom, Tag("property")],
    Discriminator(_amount_tag),
    TypeLabel("amount"),
]
"""A whole number, or ``{from: property, map: {...}, default: n}``."""


class Effective(PlaybookModel):
    """The days a rule applies (UTC); activities outside them are not paid."""

    from_: date | None = Field(
        default=None, alias="from", description="First day the rule applies; null: always did."
    )
    until: date | None = Field(
        default=None, description="First day it no longer applies; null: still applies."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.from_ is not None and self.until is not None and self.until <= self.from_:
            raise ValueError("'until' must be after 'from'")
        return self

    def covers(self, day: date) -> bool:
        """Whether the rule applies on ``day``."""
        return (self.from_ is None or day >= self.from_) and (
            self.until is None or day < self.until
        )


class CapGroup(PlaybookModel):
    """Rules sharing a daily cap (Stack Exchange's 200 reputation a day from votes)."""

    daily_cap: PositiveInt = Field(
        description="Most points a member can gain from the group's rules in one UTC day. "
        "Gains beyond it are dropped; losses still count and make room under the cap."
    )
    description: str | None = Field(default=None, description="What the cap is for.")


class OnHelp(PlaybookModel):
    """Pay when the helped relation records that a member helped another."""

    newcomer_within: Duration | None = Field(
        default=None,
        description="Only when the helped member joined at most this long before the help "
        "(their first activity anywhere; a `member.joined` is one); null: any member.",
    )
    via: list[Key] | None = Field(
        default=None, description="Only help recorded by these `helped` rules; null: any."
    )
    once_per_pair: bool = Field(
        default=False,
        description="Pay at most once per helper and helped member (otherwise once per help).",
    )


Recipient = Literal["actor", "target_owner", "helper", "helped"]
Exclusion = Literal["self", "bots", "staff", "community_wiki"]


class Rule(PlaybookModel):
    """A points rule: activities (or help) that earn or cost points."""

    key: Key = Field(description="Stable identifier (shown in point breakdowns).")
    name: Text = Field(description="Name shown to members.")
    description: str | None = Field(default=None, description="The rule in words.")
    when: When | None = Field(
        default=None, description="The activities that pay. Exactly one of `when`, `on_help`."
    )
    on_help: OnHelp | None = Field(
        default=None, description="Pay on help recorded by the `helped` rules instead."
    )
    to: Recipient | None = Field(
        default=None,
        description="Who receives the points: `actor` or `target_owner` for `when` rules "
        "(default `actor`), `helper` or `helped` for `on_help` rules (default `helper`). "
        "Nothing is paid when that member is unknown.",
    )
    points: Amount = Field(
        description="Points per activity: a whole number (negative "
        "costs points) or read from a property (see *Amounts*)."
    )
    group: Key | None = Field(
        default=None, description="The cap group (under `points.groups`) this rule counts in."
    )
    cooldown: Duration | None = Field(
        default=None,
        description="After paying a member, the rule does not pay them again for this long.",
    )
    exclude: list[Exclusion] = Field(
        default_factory=list,
        description="Activities not paid: `self` (the actor is the target's owner), `bots` "
        "and `staff` (by the flags of the member who would receive the points), "
        "`community_wiki` (the activity's `community_wiki` property is true).",
    )
    effective: Effective | None = Field(default=None, description="Days the rule applies.")

    @model_validator(mode="after")
    def _one_trigger(self) -> Rule:
        if (self.when is None) == (self.on_help is None):
            raise ValueError("expected exactly one of 'when' (activities) or 'on_help'")
        allowed = ("actor", "target_owner") if self.when is not None else ("helper", "helped")
        if self.to is not None and self.to not in allowed:
            raise ValueError(
                f"to: expected {' or '.join(allowed)} for "
                f"{'a when' if self.when is not None else 'an on_help'} rule, got '{self.to}'"
            )
        return self

    @property
    def recipient(self) -> Recipient:
        """Who receives the points, with the default filled in."""
        if self.to is not None:
            return self.to
        return "actor" if self.when is not None else "helper"


class Points(PlaybookModel):
    """How members earn points."""

    starting_balance: int = Field(default=0, description="Every member's points before any.")
    floor: int | None = Field(
        default=None,
        description="Points never go below this (applied at every change); null: no floor.",
    )
    groups: dict[Key, CapGroup] = Field(default_factory=dict, description="Cap groups by key.")
    rules: list[Rule] = Field(default_factory=list, description="The points rules.")

    @model_validator(mode="after")
    def _floor(self) -> Points:
        if self.floor is not None and self.starting_balance < self.floor:
            raise ValueError("starting_balance is below the floor")
        return self


# -- the helped relation ----------------------------------------------------------------------

Party = Literal["actor", "target_owner", "target_opener"]


class HelpRule(PlaybookModel):
    """Activities that mean one member helped another."""

    key: Key = Field(description="Stable identifier (help records name it as their `via`).")
    name: str | None = Field(default=None, description="The rule in words.")
    when: When = Field(description="The activities that record help.")
    helper: Party = Field(
        description="Who helped: `actor`, `target_owner`, or `target_opener` (whoever opened "
        "the target thread, question, issue or ticket, from the activity that opened it)."
    )
    helped: Party = Field(description="Who was helped (same choices).")
    first_response: bool = Field(
        default=False,
        description="Only the first activity matching `when` on each target counts, not "
        "counting the target opener's own (the first reply to a question). Help is never "
        "recorded when helper and helped are the same member.",
    )

    @model_validator(mode="after")
    def _two_people(self) -> HelpRule:
        if self.helper == self.helped:
            raise ValueError("helper and helped must be different parties")
        return self
