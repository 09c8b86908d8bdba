"""A playbook compiled for the fold: rules indexed by activity kind, clauses turned into closures.

Compilation happens once per playbook. Identical counters (the same activities counted the same
way by an achievement, a tier requirement and a leaderboard) are shared, so a member's count is
kept once however many programs read it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

from hearth.domain.playbook import Playbook, Predicate, compile_amount
from hearth.domain.playbook.base import Match, When
from hearth.domain.playbook.conditions import SPECIAL_KEYS
from hearth.domain.playbook.schema import (
    CountAchievement,
    CountMeasure,
    CountRequirement,
    HelpedAchievement,
    HelpedMeasure,
    HelpedRequirement,
    ManualAchievement,
    PerItemAchievement,
    PointsAchievement,
    PointsWithinAchievement,
)
from hearth.domain.rules.facts import Fact, to_seconds

AmountFn = Callable[[Mapping[str, Any]], int | None]

# Kinds whose activity opens its own target (a thread, question, issue, pull request, ticket):
# the actor is that target's opener, which `helped` rules can name as `target_opener`.
OPENING_KINDS = frozenset(
    {"thread.started", "question.asked", "issue.opened", "pr.opened", "ticket.opened"}
)
# Staff actions that the fold reads as manual decisions.
MANUAL_POINTS = "points.granted"
MANUAL_AWARD = "achievement.awarded"
MANUAL_AWARD_REVOKED = "achievement.revoked"
TIER_GRANTED = "tier.granted"
TIER_REVOKED = "tier.revoked"
REQUIREMENT_CONFIRMED = "requirement.confirmed"
BANNED = "member.banned"
UNBANNED = "member.unbanned"
MANUAL_RULE = "manual"
"""The breakdown key of points granted by staff."""


NO_PROPERTIES: Mapping[str, Any] = MappingProxyType({})
"""What a ``where`` clause that tests no property is given instead of the activity's
properties, which are then never decoded."""


@dataclass(slots=True)
class Matcher:
    """Which activities something applies to, and which member it counts for."""

    kinds: frozenset[str]
    where: Predicate | None
    actor_is_owner: bool | None
    role: str = "actor"
    reads_properties: bool = True  # False: ``where`` tests only platform and target_type

    def matches(self, fact: Fact) -> bool:
        if self.actor_is_owner is not None:
            same = fact.actor is not None and fact.actor == fact.owner
            if same != self.actor_is_owner:
                return False
        where = self.where
        if where is None:
            return True
        properties = fact.props if self.reads_properties else NO_PROPERTIES
        return where(properties, fact.platform, fact.target_type)

    def member(self, fact: Fact) -> int | None:
        return fact.actor if self.role == "actor" else fact.owner


def _signature(when: When, role: str = "actor") -> str:
    return json.dumps(
        [sorted(when.kind), when.where_clause(), when.actor_is_owner, role],
        sort_keys=True,
        default=str,
    )


def _matcher(when: When) -> Matcher:
    role = when.role if isinstance(when, Match) else "actor"
    return Matcher(
        kinds=frozenset(when.kind),
        where=when.predicate() if when.where else None,
        actor_is_owner=when.actor_is_owner,
        role=role,
        reads_properties=any(key not in SPECIAL_KEYS for key in when.where),
    )


def item_of(fact: Fact, item: str) -> str | None:
    """The item an activity names: its target, or the id in property ``item``."""
    if item == "target_id":
        return fact.target_id
    value = fact.props.get(item)
    return None if value is None or isinstance(value, dict | list) else str(value)


@dataclass(slots=True)
class PointsRule:
    key: str
    matcher: Matcher | None
    recipient: str
    amount: AmountFn
    fixed: int | None  # the amount when it does not depend on the properties (none decoded)
    group: str | None
    cap: int | None
    cooldown: float | None
    exclude_self: bool
    exclude_bots: bool
    exclude_staff: bool
    exclude_wiki: bool
    starts: float | None
    ends: float | None
    newcomer_within: float | None = None
    via: frozenset[str] | None = None
    once_per_pair: bool = False


@dataclass(slots=True)
class Counter:
    """A per-member count of matching activities (or of distinct items among them)."""

    index: int
    matcher: Matcher
    distinct_by: str | None
    timed: bool


@dataclass(slots=True)
class HelpRule:
    key: str
    matcher: Matcher
    helper: str
    helped: str
    first_response: bool


@dataclass(slots=True)
class Threshold:
    """An achievement reached when an item's running value gets to ``at_least``."""

    key: str
    at_least: int
    repeatable: bool
    conditions: tuple[int, ...]


@dataclass(slots=True)
class Tracker:
    """Running values per item (a post's score), shared by the achievements that read it."""

    index: int
    matcher: Matcher
    item: str
    value: AmountFn
    thresholds: list[Threshold] = field(default_factory=list)


@dataclass(slots=True)
class ItemCondition:
    """Another activity that must have happened on an item."""

    index: int
    matcher: Matcher
    item: str
    first_response: bool


@dataclass(slots=True)
class Board:
    key: str
    matcher: Matcher
    distinct_by: str | None
    by_target: bool


@dataclass(slots=True)
class KindPlan:
    """Everything that reacts to one activity kind."""

    rules: list[PointsRule] = field(default_factory=list)
    counters: list[Counter] = field(default_factory=list)
    helps: list[HelpRule] = field(default_factory=list)
    trackers: list[Tracker] = field(default_factory=list)
    conditions: list[ItemCondition] = field(default_factory=list)
    boards: list[Board] = field(default_factory=list)


@dataclass(slots=True)
class Compiled:
    """A playbook ready for the fold."""

    playbook: Playbook
    by_kind: dict[str, KindPlan]
    help_rules: list[PointsRule]
    counters: list[Counter]
    trackers: list[Tracker]
    conditions: list[ItemCondition]
    via_filters: list[frozenset[str] | None]
    starting_balance: int
    floor: int | None
    count_awards: list[tuple[str, int, int]]  # (achievement, counter, at_least)
    helped_awards: list[tuple[str, int, int]]  # (achievement, via filter, at_least)
    points_awards: list[tuple[str, int]]
    within_awards: list[tuple[str, float, int]]
    achievement_keys: frozenset[str]
    manual_achievements: frozenset[str]
    uses_opening: bool

    def plan(self, kind: str) -> KindPlan | None:
        return self.by_kind.get(kind)

    def counter_index(self, match: Match, distinct_by: str | None, timed: bool) -> int:
        """The shared counter for ``match`` (see :func:`compile_playbook`)."""
        return self._counter_keys[_counter_sig(match, distinct_by, timed)]

    def via_index(self, via: list[str] | None) -> int:
        return self.via_filters.index(None if via is None else frozenset(via))

    _counter_keys: dict[str, int] = field(default_factory=dict)


def _counter_sig(match: Match, distinct_by: str | None, timed: bool) -> str:
    return json.dumps([_signature(match, match.role), distinct_by, timed])


def _day_start(day: date | None) -> float | None:
    """Midnight UTC at the start of ``day``, in seconds (None stays None)."""
    if day is None:
        return None
    return to_seconds(datetime(day.year, day.month, day.day, tzinfo=UTC))


def compile_playbook(playbook: Playbook) -> Compiled:
    """Compile ``playbook`` for the fold."""
    by_kind: dict[str, KindPlan] = {}

    def plan(kind: str) -> KindPlan:
        return by_kind.setdefault(kind, KindPlan())

    groups = playbook.points.groups
    help_rules: list[PointsRule] = []
    for rule in playbook.points.rules:
        compiled = PointsRule(
            key=rule.key,
            matcher=_matcher(rule.when) if rule.when is not None else None,
            recipient=rule.recipient,
            amount=compile_amount(rule.points),
            fixed=rule.points if isinstance(rule.points, int) else None,
            group=rule.group,
            cap=groups[rule.group].daily_cap if rule.group else None,
            cooldown=rule.cooldown.total_seconds() if rule.cooldown else None,
            exclude_self="self" in rule.exclude,
            exclude_bots="bots" in rule.exclude,
            exclude_staff="staff" in rule.exclude,
            exclude_wiki="community_wiki" in rule.exclude,
            starts=_day_start(rule.effective.from_) if rule.effective else None,
            ends=_day_start(rule.effective.until) if rule.effective else None,
        )
        if rule.on_help is not None:
            window = rule.on_help.newcomer_within
            compiled.newcomer_within = window.total_seconds() if window else None
            compiled.via = frozenset(rule.on_help.via) if rule.on_help.via else None
            compiled.once_per_pair = rule.on_help.once_per_pair
            help_rules.append(compiled)
        else:
            assert compiled.matcher is not None
            for kind in compiled.matcher.kinds:
                plan(kind).rules.append(compiled)

    for help_rule in playbook.helped:
        compiled_help = HelpRule(
            key=help_rule.key,
            matcher=_matcher(help_rule.when),
            helper=help_rule.helper,
            helped=help_rule.helped,
            first_response=help_rule.first_response,
        )
        for kind in compiled_help.matcher.kinds:
            plan(kind).helps.append(compiled_help)

    counters: list[Counter] = []
    counter_keys: dict[str, int] = {}

    def counter(match: Match, distinct_by: str | None, timed: bool) -> int:
        sig = _counter_sig(match, distinct_by, timed)
        if sig not in counter_keys:
            made = Counter(len(counters), _matcher(match), distinct_by, timed)
            counters.append(made)
            counter_keys[sig] = made.index
            for kind in made.matcher.kinds:
                plan(kind).counters.append(made)
        return counter_keys[sig]

    via_filters: list[frozenset[str] | None] = [None]

    def via_filter(via: list[str] | None) -> int:
        value = None if via is None else frozenset(via)
        if value not in via_filters:
            via_filters.append(value)
        return via_filters.index(value)

    trackers: list[Tracker] = []
    tracker_keys: dict[str, Tracker] = {}
    conditions: list[ItemCondition] = []
    condition_keys: dict[str, int] = {}

    def condition(match: When, item: str, first_response: bool) -> int:
        sig = json.dumps([_signature(match), item, first_response])
        if sig not in condition_keys:
            made = ItemCondition(len(conditions), _matcher(match), item, first_response)
            conditions.append(made)
            condition_keys[sig] = made.index
            for kind in made.matcher.kinds:
                plan(kind).conditions.append(made)
        return condition_keys[sig]

    count_awards: list[tuple[str, int, int]] = []
    helped_awards: list[tuple[str, int, int]] = []
    points_awards: list[tuple[str, int]] = []
    within_awards: list[tuple[str, float, int]] = []
    manual: set[str] = set()
    for achievement in playbook.achievements:
        if isinstance(achievement, CountAchievement):
            index = counter(achievement.match, achievement.distinct_by, False)
            count_awards.append((achievement.key, index, achievement.at_least))
        elif isinstance(achievement, HelpedAchievement):
            helped_awards.append(
                (achievement.key, via_filter(achievement.via), achievement.at_least)
            )
        elif isinstance(achievement, PointsAchievement):
            points_awards.append((achievement.key, achievement.at_least))
        elif isinstance(achievement, PointsWithinAchievement):
            within_awards.append(
                (achievement.key, achievement.window.total_seconds(), achievement.at_least)
            )
        elif isinstance(achievement, PerItemAchievement):
            value_spec = json.dumps(
                achievement.value
                if isinstance(achievement.value, int)
                else achievement.value.model_dump(by_alias=True),
                sort_keys=True,
            )
            sig = json.dumps(
                [
                    _signature(achievement.match, achievement.match.role),
                    achievement.item,
                    value_spec,
                ]
            )
            tracker = tracker_keys.get(sig)
            if tracker is None:
                tracker = Tracker(
                    len(trackers),
                    _matcher(achievement.match),
                    achievement.item,
                    compile_amount(achievement.value),
                )
                trackers.append(tracker)
                tracker_keys[sig] = tracker
                for kind in tracker.matcher.kinds:
                    plan(kind).trackers.append(tracker)
            tracker.thresholds.append(
                Threshold(
                    achievement.key,
                    achievement.at_least,
                    achievement.repeatable,
                    tuple(
                        condition(c.match, c.item, c.first_response)
                        for c in achievement.also_on_item
                    ),
                )
            )
        elif isinstance(achievement, ManualAchievement):
            manual.add(achievement.key)

    for tier in playbook.tiers:
        for req in tier.requires:
            if isinstance(req, CountRequirement):
                counter(req.match, req.distinct_by, req.within is not None)
            elif isinstance(req, HelpedRequirement):
                via_filter(req.via)

    for board in playbook.leaderboards:
        measure = board.measure
        if isinstance(measure, CountMeasure):
            made_board = Board(
                board.key, _matcher(measure.match), measure.distinct_by, board.group_by == "target"
            )
            for kind in made_board.matcher.kinds:
                plan(kind).boards.append(made_board)
        elif isinstance(measure, HelpedMeasure):
            via_filter(measure.via)

    uses_opening = any(
        h.helper == "target_opener" or h.helped == "target_opener" for h in playbook.helped
    )
    compiled_playbook = Compiled(
        playbook=playbook,
        by_kind=by_kind,
        help_rules=help_rules,
        counters=counters,
        trackers=trackers,
        conditions=conditions,
        via_filters=via_filters,
        starting_balance=playbook.points.starting_balance,
        floor=playbook.points.floor,
        count_awards=count_awards,
        helped_awards=helped_awards,
        points_awards=points_awards,
        within_awards=within_awards,
        achievement_keys=frozenset(a.key for a in playbook.achievements),
        manual_achievements=frozenset(manual),
        uses_opening=uses_opening,
    )
    compiled_playbook._counter_keys = counter_keys
    return compiled_playbook
