"""The playbook schema: the top-level :class:`Playbook` and the checks across its sections.

A playbook is YAML validated by these models (see ``docs/playbook.md``, generated from them).
:func:`parse_playbook` validates plain data and then checks what a single model cannot: keys
are unique, and every reference (a cap group, a tier, a helped rule, an achievement) exists.

The sections live in their own modules and are all re-exported here:
:mod:`~hearth.domain.playbook.points` (points rules, the helped relation),
:mod:`~hearth.domain.playbook.achievements`, :mod:`~hearth.domain.playbook.tiers`,
:mod:`~hearth.domain.playbook.leaderboards` and :mod:`~hearth.domain.playbook.programs`
(targets, bounties, budget, mentorship, governance, moderation, calendar, server).

The rules engine (``domain/rules/``) reads a :class:`Playbook` and folds the ledger with it:
points :class:`Rule` s pay on activities or on help, :data:`Achievement` s and tier
:data:`Requirement` s are counters over :class:`Match` es, :class:`HelpRule` s derive who
helped whom, and :class:`Leaderboard` s rank a :data:`Measure` over a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field

from hearth.domain.playbook.achievements import (
    Achievement,
    AchievementBase,
    CountAchievement,
    HelpedAchievement,
    ItemCondition,
    ManualAchievement,
    PerItemAchievement,
    PointsAchievement,
    PointsWithinAchievement,
)
from hearth.domain.playbook.base import (
    Duration,
    Key,
    Match,
    NonNegativeInt,
    PlaybookModel,
    PositiveInt,
    Text,
    When,
)
from hearth.domain.playbook.leaderboards import (
    NAMED_WINDOWS,
    CountMeasure,
    HelpedMeasure,
    Leaderboard,
    Measure,
    PointsMeasure,
    Prize,
    Window,
    rolling_window,
)
from hearth.domain.playbook.points import (
    Amount,
    AmountFrom,
    CapGroup,
    Effective,
    Exclusion,
    HelpRule,
    OnHelp,
    Party,
    Points,
    Recipient,
    Rule,
)
from hearth.domain.playbook.programs import (
    Bounties,
    Budget,
    CalendarItem,
    Governance,
    LaunchStep,
    Mentorship,
    Moderation,
    Server,
    Suggestions,
    Support,
    Targets,
)
from hearth.domain.playbook.server import server_problems
from hearth.domain.playbook.tiers import (
    AchievementRequirement,
    ActiveDaysRequirement,
    Benefit,
    CountRequirement,
    HelpedRequirement,
    ManualRequirement,
    PointsRequirement,
    Requirement,
    RequirementBase,
    TenureRequirement,
    Tier,
)

# -- the playbook -----------------------------------------------------------------------------


class Playbook(PlaybookModel):
    """A community's playbook: its programs as data."""

    name: Key = Field(description="Short name (`phoenix`).")
    title: Text = Field(description="Display name.")
    version: PositiveInt = Field(description="Raise it on every change members would notice.")
    description: str | None = Field(default=None, description="What this playbook is for.")
    based_on: str | None = Field(default=None, description="The strategy document it implements.")
    points: Points = Field(default_factory=Points, description="Points rules.")
    helped: list[HelpRule] = Field(
        default_factory=list, description="What counts as helping a member."
    )
    achievements: list[Achievement] = Field(default_factory=list, description="Achievements.")
    tiers: list[Tier] = Field(default_factory=list, description="Recognition tiers, lowest first.")
    leaderboards: list[Leaderboard] = Field(default_factory=list, description="Leaderboards.")
    targets: Targets = Field(
        default_factory=Targets, description="Health, growth, platform and support targets."
    )
    bounties: Bounties | None = Field(default=None, description="The bounty program.")
    budget: Budget | None = Field(default=None, description="The annual budget.")
    mentorship: Mentorship | None = Field(default=None, description="The mentorship program.")
    governance: Governance | None = Field(default=None, description="Governance.")
    moderation: Moderation | None = Field(
        default=None, description="Code of conduct and enforcement."
    )
    support: Support | None = Field(
        default=None, description="Support tickets: categories, response targets, reminders."
    )
    calendar: list[CalendarItem] = Field(
        default_factory=list, description="Recurring content and events."
    )
    server: Server | None = Field(default=None, description="Chat server layout.")
    suggestions: Suggestions | None = Field(
        default=None, description="Feature suggestions, the roadmap and suggestion contests."
    )
    launch_plan: list[LaunchStep] = Field(default_factory=list, description="Launch steps, by day.")

    def rule(self, key: str) -> Rule | None:
        """The points rule ``key``."""
        return next((r for r in self.points.rules if r.key == key), None)

    def achievement(self, key: str) -> Achievement | None:
        """The achievement ``key``."""
        return next((a for a in self.achievements if a.key == key), None)

    def tier(self, key: str) -> Tier | None:
        """The tier ``key``."""
        return next((t for t in self.tiers if t.key == key), None)

    def leaderboard(self, key: str) -> Leaderboard | None:
        """The leaderboard ``key``."""
        return next((b for b in self.leaderboards if b.key == key), None)


# -- checks across sections -------------------------------------------------------------------

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem at a location in the playbook data (``("tiers", 0, "key")``)."""

    loc: Loc
    message: str


class PlaybookInvalid(ValueError):
    """The playbook is well-formed but inconsistent: duplicate keys, dangling references."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.message}" for p in problems))
        self.problems = problems


def _unique(items: list[Any], loc: Loc, problems: list[Problem]) -> set[str]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.key in seen:
            problems.append(Problem((*loc, index, "key"), f"duplicate key '{item.key}'"))
        seen.add(item.key)
    return seen


def _refs(keys: list[str] | None, known: set[str], what: str, loc: Loc) -> list[Problem]:
    out: list[Problem] = []
    for index, key in enumerate(keys or []):
        if key not in known:
            listed = ", ".join(sorted(known)) or "none"
            out.append(Problem((*loc, index), f"unknown {what} '{key}'; defined: {listed}"))
    return out


def reference_problems(playbook: Playbook) -> list[Problem]:
    """Duplicate keys and references to things the playbook does not define."""
    problems: list[Problem] = []
    rules = _unique(playbook.points.rules, ("points", "rules"), problems)
    helped = _unique(playbook.helped, ("helped",), problems)
    achievements = _unique(playbook.achievements, ("achievements",), problems)
    tiers = _unique(playbook.tiers, ("tiers",), problems)
    _unique(playbook.leaderboards, ("leaderboards",), problems)
    _unique(playbook.targets.health, ("targets", "health"), problems)
    _unique(playbook.targets.platforms, ("targets", "platforms"), problems)
    _unique(playbook.targets.support, ("targets", "support"), problems)
    _unique(playbook.calendar, ("calendar",), problems)
    if playbook.bounties:
        _unique(playbook.bounties.categories, ("bounties", "categories"), problems)
    if playbook.support:
        _unique(playbook.support.categories, ("support", "categories"), problems)
        if playbook.support.business_hours is None:
            for i, ticket_category in enumerate(playbook.support.categories):
                if ticket_category.business_hours:
                    where: Loc = ("support", "categories", i, "business_hours")
                    problems.append(Problem(where, "no support.business_hours are defined"))
    if playbook.moderation:
        _unique(playbook.moderation.automod, ("moderation", "automod"), problems)
    if playbook.budget:
        _unique(playbook.budget.lines, ("budget", "lines"), problems)
    if playbook.targets.growth:
        _unique(playbook.targets.growth.metrics, ("targets", "growth", "metrics"), problems)
    groups = set(playbook.points.groups)
    uses_help = False
    for i, rule in enumerate(playbook.points.rules):
        loc: Loc = ("points", "rules", i)
        if rule.group is not None and rule.group not in groups:
            listed = ", ".join(sorted(groups)) or "none"
            problems.append(
                Problem((*loc, "group"), f"unknown cap group '{rule.group}'; defined: {listed}")
            )
        if rule.on_help is not None:
            uses_help = True
            problems += _refs(rule.on_help.via, helped, "helped rule", (*loc, "on_help", "via"))
    for i, achievement in enumerate(playbook.achievements):
        if isinstance(achievement, HelpedAchievement):
            uses_help = True
            problems += _refs(achievement.via, helped, "helped rule", ("achievements", i, "via"))
    for i, tier in enumerate(playbook.tiers):
        for j, req in enumerate(tier.requires):
            loc = ("tiers", i, "requires", j)
            if isinstance(req, HelpedRequirement):
                uses_help = True
                problems += _refs(req.via, helped, "helped rule", (*loc, "via"))
            elif isinstance(req, AchievementRequirement) and req.achievement not in achievements:
                problems.append(
                    Problem((*loc, "achievement"), f"unknown achievement '{req.achievement}'")
                )
    for i, board in enumerate(playbook.leaderboards):
        measure = board.measure
        loc = ("leaderboards", i, "measure")
        if isinstance(measure, PointsMeasure):
            problems += _refs(measure.rules, rules, "points rule", (*loc, "rules"))
        elif isinstance(measure, HelpedMeasure):
            uses_help = True
            problems += _refs(measure.via, helped, "helped rule", (*loc, "via"))
    if playbook.server:
        for i, category in enumerate(playbook.server.categories):
            for j, channel in enumerate(category.channels):
                loc = ("server", "categories", i, "channels", j, "access")
                problems += _refs(channel.access, tiers, "tier", loc)
        problems += [Problem(loc, message) for loc, message in server_problems(playbook.server)]
    if playbook.suggestions and playbook.suggestions.contests:
        for i, prize in enumerate(playbook.suggestions.contests.prizes):
            if prize.achievement is not None and prize.achievement not in achievements:
                loc = ("suggestions", "contests", "prizes", i, "achievement")
                problems.append(Problem(loc, f"unknown achievement '{prize.achievement}'"))
    if uses_help and not playbook.helped:
        problems.append(
            Problem(("helped",), "help is counted or paid, but no 'helped' rules define it")
        )
    return problems


def parse_playbook(data: object) -> Playbook:
    """Validate plain data (parsed YAML) into a :class:`Playbook`.

    Raises pydantic's ``ValidationError`` for malformed data and :class:`PlaybookInvalid` for
    duplicate keys and dangling references.
    """
    playbook = Playbook.model_validate(data)
    problems = reference_problems(playbook)
    if problems:
        raise PlaybookInvalid(problems)
    return playbook


__all__ = [
    "NAMED_WINDOWS",
    "Achievement",
    "AchievementBase",
    "AchievementRequirement",
    "ActiveDaysRequirement",
    "Amount",
    "AmountFrom",
    "Benefit",
    "Bounties",
    "Budget",
    "CalendarItem",
    "CapGroup",
    "CountAchievement",
    "CountMeasure",
    "CountRequirement",
    "Duration",
    "Effective",
    "Exclusion",
    "Governance",
    "HelpRule",
    "HelpedAchievement",
    "HelpedMeasure",
    "HelpedRequirement",
    "ItemCondition",
    "Key",
    "LaunchStep",
    "Leaderboard",
    "ManualAchievement",
    "ManualRequirement",
    "Match",
    "Measure",
    "Mentorship",
    "Moderation",
    "NonNegativeInt",
    "OnHelp",
    "Party",
    "PerItemAchievement",
    "Playbook",
    "PlaybookInvalid",
    "PlaybookModel",
    "Points",
    "PointsAchievement",
    "PointsMeasure",
    "PointsRequirement",
    "PointsWithinAchievement",
    "PositiveInt",
    "Prize",
    "Problem",
    "Recipient",
    "Requirement",
    "RequirementBase",
    "Rule",
    "Server",
    "Suggestions",
    "Support",
    "Targets",
    "TenureRequirement",
    "Text",
    "Tier",
    "When",
    "Window",
    "parse_playbook",
    "reference_problems",
    "rolling_window",
]
