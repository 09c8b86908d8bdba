"""Tier requirements as intervals of time, and tier standing at any moment.

Between two of a member's activities nothing they did changes, but time passes: a tenure
requirement starts to hold ("90 days in the community"), a windowed one lapses ("active in the
last 30 days"). So each requirement, evaluated on the member's state after an activity, gives the
interval ``[start, until)`` during which it holds if nothing else happens; a tier's interval is
the intersection of its requirements'. :class:`~hearth.domain.rules.state.TierTrack` turns the
sequence of intervals into runs of holding the tier, with the grace period bridging gaps.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hearth.domain.playbook import Playbook
from hearth.domain.playbook.schema import (
    AchievementRequirement,
    ActiveDaysRequirement,
    CountRequirement,
    HelpedRequirement,
    ManualRequirement,
    PointsRequirement,
    Requirement,
    TenureRequirement,
)
from hearth.domain.rules.compiled import Compiled
from hearth.domain.rules.state import MemberState, TierTrack

INF = float("inf")
NEVER = (INF, INF)
ALWAYS = (-INF, INF)
DAY = 86_400.0


Interval = tuple[float, float]
IntervalFn = Callable[[MemberState, float], Interval]


@dataclass(slots=True)
class Req:
    """A compiled tier requirement."""

    type: str
    label: str
    needed: float
    window: float | None = None
    counter: int = -1
    via: int = 0
    platform: str | None = None
    key: str | None = None
    check: IntervalFn = field(init=False, repr=False, compare=False)
    """:meth:`interval` specialised to this requirement (see :func:`_interval_fn`)."""

    def __post_init__(self) -> None:
        self.check = _interval_fn(self)

    def value(self, ms: MemberState, now: float) -> float:
        """The member's current value (what progress lines show)."""
        return _value(self, ms, now)

    def interval(self, ms: MemberState, now: float) -> Interval:
        """When the requirement holds, given the member's state at ``now``."""
        return self.check(ms, now)


@dataclass(slots=True)
class TierPlan:
    key: str
    name: str
    manual: bool
    grace: float
    own: tuple[Req, ...]
    all: tuple[Req, ...]  # own + every lower automatic tier's, when requires_lower
    includes_lower: bool


def _label(req: Requirement) -> str:
    if req.label:
        return req.label
    if isinstance(req, CountRequirement):
        return " or ".join(req.match.kind)
    if isinstance(req, HelpedRequirement):
        return "members helped"
    if isinstance(req, PointsRequirement):
        return "points"
    if isinstance(req, TenureRequirement):
        return f"days on {req.platform}" if req.platform else "days in the community"
    if isinstance(req, ActiveDaysRequirement):
        return "active days"
    if isinstance(req, AchievementRequirement):
        return f"achievement {req.achievement}"
    return req.key


def compile_requirement(req: Requirement, compiled: Compiled) -> Req:
    label = _label(req)
    if isinstance(req, CountRequirement):
        within = req.within.total_seconds() if req.within else None
        return Req(
            "count",
            label,
            req.at_least,
            within,
            counter=compiled.counter_index(req.match, req.distinct_by, within is not None),
        )
    if isinstance(req, HelpedRequirement):
        return Req(
            "helped",
            label,
            req.at_least,
            req.within.total_seconds() if req.within else None,
            via=compiled.via_index(req.via),
        )
    if isinstance(req, PointsRequirement):
        return Req(
            "points", label, req.at_least, req.within.total_seconds() if req.within else None
        )
    if isinstance(req, TenureRequirement):
        return Req("tenure", label, req.at_least.total_seconds() / DAY, platform=req.platform)
    if isinstance(req, ActiveDaysRequirement):
        return Req(
            "active_days",
            label,
            req.at_least,
            req.within.total_seconds() if req.within else None,
            platform=req.platform,
        )
    if isinstance(req, AchievementRequirement):
        return Req("achievement", label, 1, key=req.achievement)
    assert isinstance(req, ManualRequirement)
    return Req("manual", label, 1, key=req.key)


def compile_tiers(playbook: Playbook, compiled: Compiled) -> list[TierPlan]:
    plans: list[TierPlan] = []
    lower: list[Req] = []
    for tier in playbook.tiers:
        own = tuple(compile_requirement(r, compiled) for r in tier.requires)
        combined = (*own, *lower) if tier.requires_lower else own
        plans.append(
            TierPlan(
                key=tier.key,
                name=tier.name,
                manual=tier.manual,
                grace=tier.grace.total_seconds() if tier.grace else 0.0,
                own=own,
                all=combined,
                includes_lower=tier.requires_lower and bool(lower),
            )
        )
        if not tier.manual:
            lower = list(combined)
    return plans


def needs_gains(plans: list[TierPlan]) -> bool:
    """Whether some requirement counts points gained within a window."""
    return any(r.type == "points" and r.window for p in plans for r in p.own)


def _times(entry: Any) -> list[float]:
    if isinstance(entry, list):
        return entry
    if isinstance(entry, dict):
        return sorted(entry.values())
    return []


def _lapse(times: list[float], needed: float, window: float) -> float:
    """When fewer than ``needed`` of ``times`` (ascending) remain within ``window``."""
    n = int(needed)
    if len(times) < n:
        return -INF
    return times[-n] + window


def _count(entry: Any) -> int:
    if entry is None:
        return 0
    if isinstance(entry, int):
        return entry
    return len(entry)


def _value(req: Req, ms: MemberState, now: float) -> float:
    kind = req.type
    if kind == "count":
        entry = ms.counts.get(req.counter)
        if req.window is None:
            return _count(entry)
        if isinstance(entry, list):  # times, in the order they happened
            return len(entry) - bisect_left(entry, now - req.window)
        return sum(1 for t in _times(entry) if t >= now - req.window)
    if kind == "helped":
        helped = ms.helped.get(req.via, {})
        if req.window is None:
            return len(helped)
        return sum(1 for t in helped.values() if t >= now - req.window)
    if kind == "points":
        if req.window is None:
            return ms.total
        return sum(p for t, p in ms.gains or () if t >= now - req.window)
    if kind == "tenure":
        joined = ms.joined_on.get(req.platform) if req.platform else ms.joined
        return 0 if joined is None else max(0, int((now - joined) // DAY))
    if kind == "active_days":
        days = ms.days.get(req.platform or "", {})
        if req.window is None:
            return len(days)
        # A day counts until `window` after it ends; days are kept in the order they happened.
        recent = 0
        for d in reversed(days):
            if (d + 1) * DAY + req.window <= now:
                break
            recent += 1
        return recent
    if kind == "achievement":
        return 1 if req.key in ms.awarded else 0
    return 1 if req.key in ms.confirmed else 0


def _interval_fn(req: Req) -> IntervalFn:
    """The function giving ``req``'s interval for a member's state at a moment.

    Tiers are re-evaluated after about half of all activities (whenever a member is active on
    a new day), so each requirement is compiled once into a closure that reads just what it
    needs, rather than dispatching on its type at every evaluation.
    """
    kind = req.type
    needed = req.needed
    window = req.window
    if kind == "count":
        counter = req.counter
        if window is None:

            def count(ms: MemberState, now: float) -> Interval:
                return ALWAYS if _count(ms.counts.get(counter)) >= needed else NEVER

            return count

        def recent_count(ms: MemberState, now: float) -> Interval:
            return (-INF, _lapse(_times(ms.counts.get(counter)), needed, window))

        return recent_count
    if kind == "helped":
        via = req.via
        if window is None:

            def helped(ms: MemberState, now: float) -> Interval:
                return ALWAYS if len(ms.helped.get(via, ())) >= needed else NEVER

            return helped

        def recently_helped(ms: MemberState, now: float) -> Interval:
            return (-INF, _lapse(sorted(ms.helped.get(via, {}).values()), needed, window))

        return recently_helped
    if kind == "points":
        if window is None:

            def points(ms: MemberState, now: float) -> Interval:
                return ALWAYS if ms.total >= needed else NEVER

            return points

        def recent_points(ms: MemberState, now: float) -> Interval:
            gains = [(t, p) for t, p in ms.gains or () if t >= now - window]
            total = sum(p for _, p in gains)
            if total < needed:
                return NEVER
            for t, p in gains:
                total -= p
                if total < needed:
                    return (-INF, t + window)
            return ALWAYS

        return recent_points
    if kind == "tenure":
        platform = req.platform

        def tenure(ms: MemberState, now: float) -> Interval:
            joined = ms.joined_on.get(platform) if platform else ms.joined
            return NEVER if joined is None else (joined + needed * DAY, INF)

        return tenure
    if kind == "active_days":
        day_key = req.platform or ""
        if window is None:

            def active_days(ms: MemberState, now: float) -> Interval:
                return ALWAYS if len(ms.days.get(day_key, ())) >= needed else NEVER

            return active_days
        n = int(needed)

        def recently_active(ms: MemberState, now: float) -> Interval:
            days = ms.days.get(day_key, {})
            if len(days) < n:
                return NEVER
            # Days are kept in the order they happened: the n-th most recent ends its window
            # last.
            nth = list(days)[-n] if n > 1 else next(reversed(days))
            return (-INF, (nth + 1) * DAY + window)

        return recently_active
    key = req.key
    if kind == "achievement":

        def achievement(ms: MemberState, now: float) -> Interval:
            return ALWAYS if key in ms.awarded else NEVER

        return achievement

    def confirmed(ms: MemberState, now: float) -> Interval:
        return ALWAYS if key in ms.confirmed else NEVER

    return confirmed


def tier_interval(reqs: tuple[Req, ...], ms: MemberState, now: float) -> Interval:
    start, until = -INF, INF
    for req in reqs:
        a, b = req.check(ms, now)
        if a > start:
            start = a
        if b < until:
            until = b
        if start >= until:
            return NEVER
    return start, until


def update_tracks(plans: list[TierPlan], ms: MemberState, now: float) -> None:
    """Advance every tier track of a member to ``now`` and re-evaluate the intervals."""
    lower_empty = False
    for plan in plans:
        if plan.manual:
            continue
        track = ms.tracks.get(plan.key)
        if track is None and plan.includes_lower and lower_empty:
            continue
        start, until = tier_interval(plan.all, ms, now)
        empty = start >= until
        lower_empty = empty
        if track is None:
            if empty:
                continue
            track = ms.tracks[plan.key] = TierTrack()
            track.evaluated = now
        else:
            track.advance(now, plan.grace)
        track.start, track.until = start, until


def grant_manual(ms: MemberState, tier: str, now: float, granted: bool) -> None:
    track = ms.tracks.get(tier)
    if granted:
        if track is None or track.since is None or track.end is not None:
            first = track.first if track is not None else None
            track = ms.tracks[tier] = TierTrack()
            track.since = now
            track.first = now if first is None else first
        track.start, track.until, track.evaluated = -INF, INF, now
    elif track is not None:
        del ms.tracks[tier]


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's hold on one tier at a moment."""

    tier: str
    held: bool
    since: float | None
    grace_until: float | None


def standing(plans: list[TierPlan], tracks: dict[str, TierTrack], now: float) -> list[Standing]:
    """Every tier the member holds at ``now`` (``now`` not before the tracks' evaluation)."""
    out: list[Standing] = []
    for plan in plans:
        track = tracks.get(plan.key)
        if track is None:
            continue
        held, since, grace_until = track.status(max(now, track.evaluated), plan.grace)
        if held:
            out.append(Standing(plan.key, True, since, grace_until))
    return out


def current_tier(
    plans: list[TierPlan], tracks: dict[str, TierTrack], now: float
) -> Standing | None:
    """The highest tier held at ``now``."""
    held = standing(plans, tracks, now)
    return held[-1] if held else None


def progress(plans: list[TierPlan], ms: MemberState, now: float) -> list[dict[str, Any]]:
    """Each requirement's current value and what it needs, for the tiers of the ladder up to
    the first one whose requirements are not all met (what the member works towards), and for
    every manual tier (listed without requirements)."""
    out: list[dict[str, Any]] = []
    reached_gap = False
    for plan in plans:
        if plan.manual:
            out.append({"tier": plan.key, "manual": True, "requirements": []})
            continue
        if reached_gap:
            continue
        reqs = []
        for req in plan.own:
            current = req.value(ms, now)
            met = current >= req.needed
            reached_gap = reached_gap or not met
            reqs.append(
                {
                    "label": req.label,
                    "type": req.type,
                    "current": current,
                    "needed": req.needed,
                    "met": met,
                }
            )
        out.append({"tier": plan.key, "manual": False, "requirements": reqs})
    return out
