"""The fold: derive points, awards, help, tiers and leaderboard tallies from the ledger.

Activities are fed in the total order ``(occurred_at, platform, source_id)``; every derived
fact is a function of the activities before it in that order, so the result does not depend on
the order activities were imported in. The fold can stop after any activity, be pickled (a
checkpoint) and go on later: incremental derivation and a rebuild from scratch are the same code.

Output is collected as *changes since the last* :meth:`Fold.drain`: the writer stores them as
absolute values (upserts) or as rows identified by what produced them, so writing the same
changes twice is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hearth.domain.playbook import Playbook
from hearth.domain.rules.compiled import (
    BANNED,
    MANUAL_AWARD,
    MANUAL_AWARD_REVOKED,
    MANUAL_POINTS,
    MANUAL_RULE,
    OPENING_KINDS,
    REQUIREMENT_CONFIRMED,
    TIER_GRANTED,
    TIER_REVOKED,
    UNBANNED,
    Compiled,
    PointsRule,
    Threshold,
    Tracker,
    compile_playbook,
    item_of,
)
from hearth.domain.rules.facts import DAY, Fact, FactKey, MemberFlags, to_seconds
from hearth.domain.rules.state import MemberState
from hearth.domain.rules.tiers import (
    TierPlan,
    compile_tiers,
    grant_manual,
    needs_gains,
    update_tracks,
)


@dataclass(frozen=True, slots=True)
class Award:
    member_id: int
    achievement: str
    item: str  # "" for achievements earned once
    awarded_at: float
    activity_id: int | None
    manual: bool = False


@dataclass(frozen=True, slots=True)
class Help:
    helper: int
    helped: int
    at: float
    via: str
    activity_id: int


@dataclass(slots=True)
class Changes:
    """What changed since the last drain."""

    members: set[int] = field(default_factory=set)
    daily: dict[tuple[int, str, int], list[Any]] = field(default_factory=dict)
    tallies: dict[tuple[str, str, int], list[Any]] = field(default_factory=dict)
    awards: list[Award] = field(default_factory=list)
    revoked: list[tuple[int, str]] = field(default_factory=list)
    helps: list[Help] = field(default_factory=list)


class Fold:
    """The running derivation. Not thread-safe; one writer feeds it."""

    def __init__(self, playbook: Playbook, flags: dict[int, MemberFlags] | None = None) -> None:
        self.playbook = playbook
        self.flags: dict[int, MemberFlags] = dict(flags or {})
        self.members: dict[int, MemberState] = {}
        self.openers: dict[tuple[str, str], int] = {}
        self.responded: set[tuple[Any, ...]] = set()
        self.item_values: dict[tuple[int, str], int] = {}
        self.item_owner: dict[tuple[int, str], int] = {}
        self.cond_hits: dict[tuple[int, str], float] = {}
        self.item_awarded: set[tuple[str, str]] = set()
        self.pairs_paid: set[tuple[str, int, int]] = set()
        self.board_seen: set[tuple[str, str, str]] = set()
        # Running per-day values, kept only for the latest days (older ones cannot change).
        self.daily: dict[tuple[int, str, int], list[Any]] = {}
        self.tallies: dict[tuple[str, str, int], list[Any]] = {}
        self.last_key: FactKey | None = None
        self.count = 0
        self.changes = Changes()
        self._compile()

    # -- set-up and pickling ------------------------------------------------------------------

    def _compile(self) -> None:
        self.c: Compiled = compile_playbook(self.playbook)
        self.tiers: list[TierPlan] = compile_tiers(self.playbook, self.c)
        self._keep_gains = needs_gains(self.tiers)
        self._tier_points = any(r.type == "points" for p in self.tiers for r in p.own)
        self._dirty: list[MemberState] = []
        # What tier requirements read: only changes to these re-evaluate a member's tiers.
        reqs = [r for p in self.tiers for r in p.own]
        self._day_keys = frozenset(r.platform or "" for r in reqs if r.type == "active_days")
        # How many days back each key's active days are needed: when every requirement on it
        # has a window, older days can never count again and are dropped (None: keep all).
        self._day_keep: dict[str, int | None] = {}
        for day_key in self._day_keys:
            windows = [
                r.window for r in reqs if r.type == "active_days" and (r.platform or "") == day_key
            ]
            spans = [w for w in windows if w is not None]
            self._day_keep[day_key] = (
                int(max(spans) // DAY) + 2 if len(spans) == len(windows) else None
            )
        self._platform_day_keys: dict[str, tuple[str, ...]] = {}
        self._opening_kinds = OPENING_KINDS if self.c.uses_opening else frozenset()
        self._tier_tenure = any(r.type == "tenure" for r in reqs)
        self._tier_counters = frozenset(r.counter for r in reqs if r.type == "count")
        self._tier_helped = any(r.type == "helped" for r in reqs)
        self._tier_awards = any(r.type == "achievement" for r in reqs)
        self._count_awards: dict[int, list[tuple[str, int]]] = {}
        for key, counter, at_least in self.c.count_awards:
            self._count_awards.setdefault(counter, []).append((key, at_least))
        self._cond_dependents: dict[int, list[tuple[Tracker, Threshold]]] = {}
        for tracker in self.c.trackers:
            for threshold in tracker.thresholds:
                for cond in threshold.conditions:
                    self._cond_dependents.setdefault(cond, []).append((tracker, threshold))
        self._tier_keys = {p.key for p in self.tiers}

    _TRANSIENT = (
        "c",
        "tiers",
        "_keep_gains",
        "_platform_day_keys",
        "_opening_kinds",
        "_day_keys",
        "_day_keep",
        "_tier_tenure",
        "_tier_counters",
        "_tier_helped",
        "_tier_awards",
        "_tier_points",
        "_dirty",
        "_count_awards",
        "_cond_dependents",
        "_tier_keys",
        "changes",
    )

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in self._TRANSIENT}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.changes = Changes()
        self._compile()

    # -- feeding ------------------------------------------------------------------------------

    def member(self, member_id: int, *, touch: bool = True) -> MemberState:
        ms = self.members.get(member_id)
        if ms is None:
            ms = self.members[member_id] = MemberState(self.c.starting_balance)
            ms.bot = self._is_bot(member_id)
            self.changes.members.add(member_id)
        if touch and self.last_key is not None:
            ms.seen = self.last_key[0]
        return ms

    def add_member(self, member_id: int, flags: MemberFlags | None = None) -> None:
        """Make a member known (with the starting balance) even before any activity."""
        if flags is not None:
            self.flags[member_id] = flags
        self.member(member_id, touch=False)

    def feed_all(self, facts: Iterable[Fact]) -> None:
        for fact in facts:
            self.feed(fact)

    def feed(self, fact: Fact) -> None:
        """Fold one activity; activities must come in increasing key order."""
        key = (fact.at, fact.platform, fact.source_id)
        if self.last_key is not None and key <= self.last_key:
            raise ValueError(f"activities out of order: {key} after {self.last_key}")
        self.last_key = key
        self.count += 1
        touched = self.changes.members
        at = fact.at
        actor = fact.actor
        owner = fact.owner
        members = self.members
        if actor is not None:
            ms = members.get(actor)
            if ms is None:
                ms = self.member(actor)
            ms.seen = at
            touched.add(actor)
            platform = fact.platform
            joined_on = ms.joined_on
            if platform not in joined_on:
                joined_on[platform] = at
                if ms.joined is None:
                    ms.joined = at
                if self._tier_tenure:
                    self._mark(ms)
            day_keys = self._platform_day_keys.get(platform)
            if day_keys is None:
                day_keys = self._day_keys_of(platform)
            if day_keys:
                day = int(at // DAY)
                days = ms.days
                for day_key in day_keys:
                    active = days.get(day_key)
                    if active is None or day not in active:
                        self._active_on(ms, day_key, day)
        if owner is not None:
            ms_owner = members.get(owner)
            if ms_owner is None:
                ms_owner = self.member(owner)
            ms_owner.seen = at
            touched.add(owner)
        if fact.kind in self._opening_kinds and actor is not None and fact.target_id is not None:
            self.openers.setdefault((fact.platform, fact.target_id), actor)
        plan = self.c.by_kind.get(fact.kind)
        if plan is not None:
            for rule in plan.rules:
                self._points_rule(rule, fact)
            for counter in plan.counters:
                if counter.matcher.matches(fact):
                    self._count(
                        counter.index,
                        counter.distinct_by,
                        counter.timed,
                        fact,
                        counter.matcher.member(fact),
                    )
            for help_rule in plan.helps:
                if help_rule.matcher.matches(fact):
                    self._help(
                        help_rule.key,
                        help_rule.helper,
                        help_rule.helped,
                        help_rule.first_response,
                        fact,
                    )
            for cond in plan.conditions:
                if cond.matcher.matches(fact):
                    self._condition(cond.index, cond.item, cond.first_response, fact)
            for tracker in plan.trackers:
                if tracker.matcher.matches(fact):
                    self._track(tracker, fact)
            for board in plan.boards:
                if board.matcher.matches(fact):
                    self._tally(
                        board.key,
                        board.by_target,
                        board.distinct_by,
                        fact,
                        board.matcher.member(fact),
                    )
        if fact.kind in _MANUAL_HANDLERS:
            _MANUAL_HANDLERS[fact.kind](self, fact)
        dirty = self._dirty
        if dirty:
            tiers = self.tiers
            for changed in dirty:
                changed.dirty = False
                if tiers and not changed.bot:  # bots hold no tiers
                    update_tracks(tiers, changed, at)
            dirty.clear()

    def _day_keys_of(self, platform: str) -> tuple[str, ...]:
        """The keys of active days an activity on ``platform`` counts for ("" is any
        platform), of those tier requirements read; remembered per platform."""
        keys = tuple(dict.fromkeys(k for k in ("", platform) if k in self._day_keys))
        self._platform_day_keys[platform] = keys
        return keys

    def _active_on(self, ms: MemberState, day_key: str, day: int) -> None:
        """Record that the member was active on ``day`` (new for ``day_key``)."""
        days = ms.days
        active = days.get(day_key)
        if active is None:
            active = days[day_key] = {}
        active[day] = True
        self._mark(ms)
        keep = self._day_keep[day_key]
        if keep is not None:
            # Days are kept in order: drop those no window can reach (never the day just added,
            # since keep >= 2).
            oldest = day - keep
            while True:
                first = next(iter(active))
                if first > oldest:
                    break
                del active[first]

    def _mark(self, ms: MemberState) -> None:
        """The member's state changed in a way tier requirements may read: re-evaluate their
        tiers after this activity. (Between changes, time alone moves a tier's interval, which
        the tracks account for; re-evaluating an unchanged state would give the same result.)"""
        if not ms.dirty:
            ms.dirty = True
            self._dirty.append(ms)

    # -- points -------------------------------------------------------------------------------

    def _points_rule(self, rule: PointsRule, fact: Fact) -> None:
        matcher = rule.matcher
        assert matcher is not None
        if rule.starts is not None and fact.at < rule.starts:
            return
        if rule.ends is not None and fact.at >= rule.ends:
            return
        recipient = fact.actor if rule.recipient == "actor" else fact.owner
        if recipient is None:
            return
        if rule.exclude_self and fact.actor is not None and fact.actor == fact.owner:
            return
        if not matcher.matches(fact):
            return
        if rule.exclude_wiki and fact.props.get("community_wiki") is True:
            return
        amount = rule.fixed if rule.fixed is not None else rule.amount(fact.props)
        if amount is None:
            return
        self._pay(rule, recipient, fact.at, amount)

    def _is_bot(self, member_id: int) -> bool:
        flags = self.flags.get(member_id)
        return flags is not None and flags.is_bot

    def _excluded(self, rule: PointsRule, member_id: int) -> bool:
        if not (rule.exclude_bots or rule.exclude_staff):
            return False
        flags = self.flags.get(member_id)
        if flags is None:
            return False
        return (rule.exclude_bots and flags.is_bot) or (rule.exclude_staff and flags.is_staff)

    def _pay(self, rule: PointsRule, member_id: int, at: float, amount: int) -> None:
        if self._excluded(rule, member_id):
            return
        ms = self.member(member_id)
        if ms.banned_until is not None and at < ms.banned_until:
            return  # no points while a ban lasts
        if rule.cooldown is not None:
            last = ms.last_paid.get(rule.key)
            if last is not None and at - last < rule.cooldown:
                return
        day = int(at // DAY)
        if rule.cap is not None and rule.group is not None:
            today = ms.cap_day.get(rule.group)
            if today is None or today[0] != day:
                today = ms.cap_day[rule.group] = [day, 0]
            if amount > 0:
                amount = min(amount, rule.cap - today[1])
                if amount <= 0:
                    return
            today[1] += amount
        ms.last_paid[rule.key] = at
        self._apply(member_id, ms, rule.key, at, day, amount)

    def _apply(
        self, member_id: int, ms: MemberState, rule_key: str, at: float, day: int, amount: int
    ) -> None:
        before = ms.total
        after = before + amount
        floor = self.c.floor
        if floor is not None and after < floor:
            after = floor
        applied = after - before
        ms.total = after
        entry = ms.breakdown.get(rule_key)
        if entry is None:
            entry = ms.breakdown[rule_key] = [0, 0]
        entry[0] += applied
        entry[1] += 1
        self.changes.members.add(member_id)
        daily_key = (member_id, rule_key, day)
        row = self.daily.get(daily_key)
        if row is None:
            row = self.daily[daily_key] = [0, at]
        row[0] += applied
        row[1] = at
        self.changes.daily[daily_key] = row
        if self._tier_points:
            self._mark(ms)
        if self._keep_gains:
            if ms.gains is None:
                ms.gains = []
            ms.gains.append((at, applied))
        for key, at_least in self.c.points_awards:
            if after >= at_least and key not in ms.awarded:
                self._award(member_id, ms, key, "", at, None)
        if self.c.within_awards and ms.joined is not None:
            for key, window, at_least in self.c.within_awards:
                if key in ms.awarded or at - ms.joined > window:
                    continue
                gained = ms.gained.get(key, 0) + applied
                ms.gained[key] = gained
                if gained >= at_least:
                    self._award(member_id, ms, key, "", at, None)

    # -- achievements -------------------------------------------------------------------------

    def _award(
        self,
        member_id: int,
        ms: MemberState,
        key: str,
        item: str,
        at: float,
        activity_id: int | None,
        manual: bool = False,
    ) -> None:
        if not manual and self._is_bot(member_id):
            return  # bots earn no achievements (staff can still award one by hand)
        ms.awarded.setdefault(key, at)
        if self._tier_awards:
            self._mark(ms)
        self.changes.awards.append(Award(member_id, key, item, at, activity_id, manual))
        self.changes.members.add(member_id)

    def _count(
        self, index: int, distinct_by: str | None, timed: bool, fact: Fact, member_id: int | None
    ) -> None:
        if member_id is None:
            return
        ms = self.member(member_id)
        counts = ms.counts
        if distinct_by is None:
            if timed:
                times = counts.get(index)
                if times is None:
                    times = counts[index] = []
                times.append(fact.at)
                value = len(times)
            else:
                value = counts.get(index, 0) + 1
                counts[index] = value
        else:
            item = item_of(fact, distinct_by)
            if item is None:
                return
            if timed:
                seen_at = counts.setdefault(index, {})
                seen_at[item] = fact.at
                value = len(seen_at)
            else:
                seen = counts.setdefault(index, set())
                seen.add(item)
                value = len(seen)
        if index in self._tier_counters:
            self._mark(ms)
        for key, at_least in self._count_awards.get(index, ()):
            if value >= at_least and key not in ms.awarded:
                self._award(member_id, ms, key, "", fact.at, fact.activity_id)

    def _track(self, tracker: Tracker, fact: Fact) -> None:
        item = item_of(fact, tracker.item)
        if item is None:
            return
        amount = tracker.value(fact.props)
        if amount is None:
            return
        slot = (tracker.index, item)
        value = self.item_values.get(slot, 0) + amount
        self.item_values[slot] = value
        member_id = tracker.matcher.member(fact)
        if member_id is not None:
            self.item_owner[slot] = member_id
        for threshold in tracker.thresholds:
            if value >= threshold.at_least:
                self._item_award(tracker, threshold, item, fact)

    def _item_award(self, tracker: Tracker, threshold: Threshold, item: str, fact: Fact) -> None:
        if (threshold.key, item) in self.item_awarded:
            return
        member_id = self.item_owner.get((tracker.index, item))
        if member_id is None:
            return
        ms = self.member(member_id)
        if not threshold.repeatable and threshold.key in ms.awarded:
            return
        hits = self.cond_hits
        for cond in threshold.conditions:
            if (cond, item) not in hits:
                return
        self.item_awarded.add((threshold.key, item))
        self._award(member_id, ms, threshold.key, item, fact.at, fact.activity_id)

    def _opener(self, fact: Fact) -> int | None:
        if fact.owner is not None:
            return fact.owner
        if fact.target_id is None:
            return None
        return self.openers.get((fact.platform, fact.target_id))

    def _first_response(self, scope: Any, fact: Fact) -> bool:
        """Whether ``fact`` is the first response on its target (and consume it if so)."""
        if fact.target_id is None:
            return False
        if fact.actor is not None and fact.actor == self._opener(fact):
            return False
        slot = (scope, fact.platform, fact.target_id)
        if slot in self.responded:
            return False
        self.responded.add(slot)
        return True

    def _condition(self, index: int, item_key: str, first_response: bool, fact: Fact) -> None:
        item = item_of(fact, item_key)
        if first_response and not self._first_response(index, fact):
            return
        if item is None or (index, item) in self.cond_hits:
            return
        self.cond_hits[(index, item)] = fact.at
        for tracker, threshold in self._cond_dependents.get(index, ()):
            value = self.item_values.get((tracker.index, item))
            if value is not None and value >= threshold.at_least:
                self._item_award(tracker, threshold, item, fact)

    # -- help ---------------------------------------------------------------------------------

    def _party(self, party: str, fact: Fact) -> int | None:
        if party == "actor":
            return fact.actor
        if party == "target_owner":
            return fact.owner
        if fact.target_id is None:
            return None
        return self.openers.get((fact.platform, fact.target_id), fact.owner)

    def _help(
        self, via: str, helper_party: str, helped_party: str, first_response: bool, fact: Fact
    ) -> None:
        if first_response and not self._first_response(via, fact):
            return
        helper = self._party(helper_party, fact)
        helped = self._party(helped_party, fact)
        if helper is None or helped is None or helper == helped:
            return
        at = fact.at
        self.changes.helps.append(Help(helper, helped, at, via, fact.activity_id))
        ms = self.member(helper)
        self.member(helped)
        self.changes.members.add(helper)
        for index, allowed in enumerate(self.c.via_filters):
            if allowed is None or via in allowed:
                ms.helped.setdefault(index, {})[helped] = at
        if self._tier_helped:
            self._mark(ms)
        for key, index, at_least in self.c.helped_awards:
            if key not in ms.awarded and len(ms.helped.get(index, ())) >= at_least:
                self._award(helper, ms, key, "", at, fact.activity_id)
        for rule in self.c.help_rules:
            if rule.via is not None and via not in rule.via:
                continue
            if rule.starts is not None and at < rule.starts:
                continue
            if rule.ends is not None and at >= rule.ends:
                continue
            if rule.newcomer_within is not None:
                joined = self.members[helped].joined
                if joined is None or at - joined > rule.newcomer_within:
                    continue
            if rule.once_per_pair:
                pair = (rule.key, helper, helped)
                if pair in self.pairs_paid:
                    continue
                self.pairs_paid.add(pair)
            amount = rule.fixed if rule.fixed is not None else rule.amount(fact.props)
            if amount is not None:
                self._pay(rule, helper if rule.recipient == "helper" else helped, at, amount)

    # -- leaderboards -------------------------------------------------------------------------

    def _tally(
        self, board: str, by_target: bool, distinct_by: str | None, fact: Fact, member: int | None
    ) -> None:
        if by_target:
            if fact.target_id is None:
                return
            subject = f"t:{fact.target_id}"
        else:
            if member is None:
                return
            banned = self.members[member].banned_until if member in self.members else None
            if banned is not None and fact.at < banned:
                return  # nothing counts for a leaderboard while a ban lasts
            subject = f"m:{member}"
        if distinct_by is not None:
            item = item_of(fact, distinct_by)
            if item is None:
                return
            seen = (board, subject, item)
            if seen in self.board_seen:
                return
            self.board_seen.add(seen)
        key = (board, subject, int(fact.at // DAY))
        row = self.tallies.get(key)
        if row is None:
            row = self.tallies[key] = [0, fact.at]
        row[0] += 1
        row[1] = fact.at
        self.changes.tallies[key] = row

    # -- output -------------------------------------------------------------------------------

    def drain(self) -> Changes:
        """The changes since the last drain; forgets per-day values of past days."""
        changes = self.changes
        self.changes = Changes()
        if self.last_key is not None:
            today = int(self.last_key[0] // DAY)
            if len(self.daily) > 4096:
                self.daily = {k: v for k, v in self.daily.items() if k[2] >= today}
            if len(self.tallies) > 4096:
                self.tallies = {k: v for k, v in self.tallies.items() if k[2] >= today}
        return changes


# -- staff decisions, folded like any activity --------------------------------------------------


def _manual_points(fold: Fold, fact: Fact) -> None:
    amount = fact.props.get("amount")
    if fact.owner is None or not isinstance(amount, int) or isinstance(amount, bool):
        return
    ms = fold.member(fact.owner)
    fold._apply(fact.owner, ms, MANUAL_RULE, fact.at, int(fact.at // DAY), amount)


def _manual_award(fold: Fold, fact: Fact) -> None:
    key = fact.props.get("achievement")
    if fact.owner is None or key not in fold.c.achievement_keys:
        return
    ms = fold.member(fact.owner)
    if key not in ms.awarded:
        fold._award(fact.owner, ms, key, "", fact.at, fact.activity_id, manual=True)


def _manual_award_revoked(fold: Fold, fact: Fact) -> None:
    key = fact.props.get("achievement")
    if fact.owner is None or not isinstance(key, str):
        return
    ms = fold.member(fact.owner)
    if ms.awarded.pop(key, None) is not None:
        fold.changes.revoked.append((fact.owner, key))
        fold.changes.members.add(fact.owner)


def _tier_change(fold: Fold, fact: Fact) -> None:
    key = fact.props.get("tier")
    if fact.owner is None or key not in fold._tier_keys:
        return
    ms = fold.member(fact.owner)
    grant_manual(ms, key, fact.at, fact.kind == TIER_GRANTED)
    fold._mark(ms)
    fold.changes.members.add(fact.owner)


def _requirement_confirmed(fold: Fold, fact: Fact) -> None:
    key = fact.props.get("requirement")
    if fact.owner is None or not isinstance(key, str):
        return
    ms = fold.member(fact.owner)
    if fact.props.get("confirmed", True) is False:
        ms.confirmed.pop(key, None)
    else:
        ms.confirmed.setdefault(key, fact.at)
    fold._mark(ms)
    fold.changes.members.add(fact.owner)


def _ban(fold: Fold, fact: Fact) -> None:
    if fact.owner is None:
        return
    ms = fold.member(fact.owner)
    if fact.kind == UNBANNED:
        ms.banned_until = None
    else:
        until = fact.props.get("until")
        ms.banned_until = _moment(until) if isinstance(until, str) else float("inf")
    fold.changes.members.add(fact.owner)


def _moment(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return float("inf")  # an unreadable end date: treated as permanent until lifted
    return to_seconds(moment)


_MANUAL_HANDLERS = {
    BANNED: _ban,
    UNBANNED: _ban,
    MANUAL_POINTS: _manual_points,
    MANUAL_AWARD: _manual_award,
    MANUAL_AWARD_REVOKED: _manual_award_revoked,
    TIER_GRANTED: _tier_change,
    TIER_REVOKED: _tier_change,
    REQUIREMENT_CONFIRMED: _requirement_confirmed,
}
