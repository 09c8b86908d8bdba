"""Playbook parts in words, for ``hearth playbook show`` and, later, the web pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hearth.domain.playbook.base import Match, Operators, When
from hearth.domain.playbook.durations import format_duration
from hearth.domain.playbook.programs import Goal
from hearth.domain.playbook.schema import (
    AchievementRequirement,
    ActiveDaysRequirement,
    AmountFrom,
    CountAchievement,
    CountMeasure,
    CountRequirement,
    HelpedAchievement,
    HelpedMeasure,
    HelpedRequirement,
    HelpRule,
    Leaderboard,
    ManualRequirement,
    PerItemAchievement,
    Playbook,
    PointsAchievement,
    PointsMeasure,
    PointsRequirement,
    PointsWithinAchievement,
    Rule,
    TenureRequirement,
)
from hearth.i18n import N_, _

_OPS = {"ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe_condition(key: str, spec: Any) -> str:
    """``channel in [a, b]``, ``score ≥ 10``, ``label = bug``."""
    if not isinstance(spec, Operators):
        return f"{key} = {_value(spec)}"
    parts = []
    for op, operand in spec.as_clause().items():
        if op in ("in", "not_in"):
            word = _("in") if op == "in" else _("not in")
            parts.append(f"{key} {word} [{', '.join(_value(v) for v in operand)}]")
        elif op == "exists":
            parts.append(
                _("{key} present").format(key=key) if operand else _("no {key}").format(key=key)
            )
        elif op == "contains":
            parts.append(_("{key} contains {value}").format(key=key, value=_value(operand)))
        else:
            parts.append(f"{key} {_OPS[op]} {_value(operand)}")
    return ", ".join(parts)


def describe_when(when: When) -> str:
    """``answer.posted or thread.replied where channel in [...]``."""
    text = _(" or ").join(when.kind)
    conditions = [describe_condition(key, spec) for key, spec in when.where.items()]
    if when.actor_is_owner is True:
        conditions.append(_("on their own target"))
    elif when.actor_is_owner is False:
        conditions.append(_("on someone else's target"))
    if conditions:
        text += " " + _("where") + " " + "; ".join(conditions)
    if isinstance(when, Match) and when.role == "target_owner":
        text += " " + _("(counted for the target's owner)")
    return text


def describe_amount(amount: int | AmountFrom) -> str:
    """``10``, ``severity (low 50, high 250; otherwise 50)``, ``−bounty_amount``."""
    if isinstance(amount, int):
        return str(amount)
    text = ("−" if amount.negate else "") + amount.from_
    details = []
    if amount.map is not None:
        details.append(", ".join(f"{_value(k)} {v}" for k, v in amount.map.items()))
    if amount.default is not None:
        details.append(_("otherwise {n}").format(n=amount.default))
    return text + (f" ({'; '.join(details)})" if details else "")


def describe_points(amount: int | AmountFrom) -> str:
    """``10 points``, ``points by severity (low 50...)``, ``−bounty_amount points``."""
    if isinstance(amount, AmountFrom) and amount.map is not None:
        return _("points by {amount}").format(amount=describe_amount(amount))
    return _("{amount} points").format(amount=describe_amount(amount))


# Whole sentences per recipient, so that a translation can inflect each (docs/i18n.md).
_TO_RECIPIENT = {
    "actor": N_("{points} to the member who did it, for {trigger}"),
    "target_owner": N_("{points} to the owner of the target, for {trigger}"),
    "helper": N_("{points} to the helper, for {trigger}"),
    "helped": N_("{points} to the member helped, for {trigger}"),
}
# The parties of a helped rule, as a translation's template "{helper} helped {helped}" names them.
_PARTY = {
    "actor": N_("the member who did it"),
    "target_owner": N_("the owner of the target"),
    "target_opener": N_("whoever opened the target"),
}


def describe_rule(rule: Rule) -> str:
    """One points rule as a sentence."""
    if rule.when is not None:
        trigger = describe_when(rule.when)
    else:
        assert rule.on_help is not None
        trigger = _("help recorded")
        if rule.on_help.newcomer_within is not None:
            trigger = _("help to a member who joined within {d}").format(
                d=format_duration(rule.on_help.newcomer_within)
            )
    text = _(_TO_RECIPIENT[rule.recipient]).format(
        points=describe_points(rule.points), trigger=trigger
    )
    extras = []
    if rule.exclude:
        extras.append(_("not for {what}").format(what=", ".join(rule.exclude)))
    if rule.group:
        extras.append(_("cap group {group}").format(group=rule.group))
    if rule.cooldown:
        extras.append(_("at most once per {d}").format(d=format_duration(rule.cooldown)))
    if rule.effective is not None:
        extras.append(
            _("from {start} until {end}").format(
                start=rule.effective.from_ or "…", end=rule.effective.until or "…"
            )
        )
    return text + (f" ({'; '.join(extras)})" if extras else "")


def describe_help_rule(rule: HelpRule) -> str:
    """One helped rule as a sentence."""
    text = _("{when}: {helper} helped {helped}").format(
        when=describe_when(rule.when), helper=_(_PARTY[rule.helper]), helped=_(_PARTY[rule.helped])
    )
    return text + (" " + _("(first response only)") if rule.first_response else "")


def describe_achievement(achievement: Any) -> str:
    """How an achievement is earned."""
    if isinstance(achievement, CountAchievement):
        distinct = (
            " " + _("(distinct {key})").format(key=achievement.distinct_by)
            if achievement.distinct_by
            else ""
        )
        return f"{describe_when(achievement.match)} ≥ {achievement.at_least}{distinct}"
    if isinstance(achievement, HelpedAchievement):
        return _("helped ≥ {n} members").format(n=achievement.at_least)
    if isinstance(achievement, PointsAchievement):
        return _("≥ {n} points").format(n=achievement.at_least)
    if isinstance(achievement, PointsWithinAchievement):
        return _("≥ {n} points within {d} of joining").format(
            n=achievement.at_least, d=format_duration(achievement.window)
        )
    if isinstance(achievement, PerItemAchievement):
        text = _("an item ({item}) reaches {n}, adding {value} per {when}").format(
            item=achievement.item,
            n=achievement.at_least,
            value=describe_amount(achievement.value),
            when=describe_when(achievement.match),
        )
        for condition in achievement.also_on_item:
            text += "; " + _("and {when} on it").format(when=describe_when(condition.match))
            if condition.first_response:
                text += " " + _("(first)")
        return text + ("" if achievement.repeatable else " " + _("(once)"))
    return _("awarded by staff")


def describe_requirement(req: Any) -> str:
    """One tier requirement."""
    label = f"{req.label}: " if req.label else ""
    within = getattr(req, "within", None)
    suffix = " " + _("in the last {d}").format(d=format_duration(within)) if within else ""
    if isinstance(req, CountRequirement):
        return f"{label}{describe_when(req.match)} ≥ {req.at_least}{suffix}"
    if isinstance(req, HelpedRequirement):
        return label + _("helped ≥ {n} members").format(n=req.at_least) + suffix
    if isinstance(req, PointsRequirement):
        return label + _("≥ {n} points").format(n=req.at_least) + suffix
    if isinstance(req, TenureRequirement):
        where = req.platform or _("the community")
        return label + _("member of {where} for ≥ {d}").format(
            where=where, d=format_duration(req.at_least)
        )
    if isinstance(req, ActiveDaysRequirement):
        where = f" ({req.platform})" if req.platform else ""
        return label + _("active on ≥ {n} days").format(n=req.at_least) + where + suffix
    if isinstance(req, AchievementRequirement):
        return label + _("holds {key}").format(key=req.achievement)
    if isinstance(req, ManualRequirement):
        return label + _("confirmed by staff ({key})").format(key=req.key)
    return label


def describe_leaderboard(board: Leaderboard) -> str:
    """What a leaderboard ranks, and over which windows."""
    measure = board.measure
    if isinstance(measure, CountMeasure):
        what = describe_when(measure.match)
    elif isinstance(measure, PointsMeasure):
        what = _("points") + (f" ({', '.join(measure.rules)})" if measure.rules else "")
    elif isinstance(measure, HelpedMeasure):
        what = _("members helped")
    else:
        what = "?"
    by = _("targets") if board.group_by == "target" else _("members")
    return _("{by} by {what}; {windows}").format(by=by, what=what, windows=", ".join(board.windows))


def describe_goal(goal: Goal) -> str:
    """``first_response_time < 2 hours``, ``active_members ≥ 500 per day (discord)``."""
    text: str = goal.metric
    if goal.match is not None:
        text += f" [{describe_when(goal.match)}]"
    if goal.comparison is not None and goal.value is not None:
        unit = {"percent": "%", "count": ""}.get(goal.unit, f" {goal.unit}")
        value = int(goal.value) if float(goal.value).is_integer() else goal.value
        text += f" {goal.comparison} {value}{unit}"
    else:
        text += " " + _("(tracked)")
    if goal.period:
        text += " " + _("per {period}").format(period=goal.period)
    if goal.platform:
        text += f" ({goal.platform})"
    return text


def playbook_lines(playbook: Playbook) -> Iterator[str]:
    """The whole playbook as readable lines (``hearth playbook show``)."""
    yield _("{title} ({name}, version {version})").format(
        title=playbook.title, name=playbook.name, version=playbook.version
    )
    points = playbook.points
    yield ""
    floor = _("none") if points.floor is None else str(points.floor)
    yield _("Points (start {start}, floor {floor})").format(
        start=points.starting_balance, floor=floor
    )
    for key, group in points.groups.items():
        yield "  " + _("cap group {key}: at most {n} a day").format(key=key, n=group.daily_cap)
    for rule in points.rules:
        yield f"  {rule.key}: {rule.name}: {describe_rule(rule)}"
    if playbook.helped:
        yield ""
        yield _("Helped")
        for help_rule in playbook.helped:
            yield f"  {help_rule.key}: {describe_help_rule(help_rule)}"
    if playbook.achievements:
        yield ""
        yield _("Achievements")
        for achievement in playbook.achievements:
            icon = f"{achievement.icon} " if achievement.icon else ""
            how = describe_achievement(achievement)
            yield f"  {icon}{achievement.name} ({achievement.key}): {how}"
    if playbook.tiers:
        yield ""
        yield _("Tiers")
        for tier in playbook.tiers:
            icon = f"{tier.icon} " if tier.icon else ""
            extra = []
            if tier.manual:
                extra.append(_("granted by staff"))
            if tier.grace:
                extra.append(_("grace {d}").format(d=format_duration(tier.grace)))
            yield f"  {icon}{tier.name} ({tier.key})" + (f": {', '.join(extra)}" if extra else "")
            for req in tier.requires:
                yield f"    - {describe_requirement(req)}"
            if tier.benefits:
                names = ", ".join(b.name for b in tier.benefits)
                yield "    " + _("benefits: {names}").format(names=names)
    if playbook.leaderboards:
        yield ""
        yield _("Leaderboards")
        for board in playbook.leaderboards:
            yield f"  {board.name} ({board.key}): {describe_leaderboard(board)}"
            for prize in board.prizes:
                yield "    " + _("place {n}: {reward}").format(n=prize.place, reward=prize.reward)
    targets = playbook.targets
    if targets.health or targets.platforms or targets.support or targets.growth:
        yield ""
        yield _("Targets")
        for health in targets.health:
            yield f"  {health.name}: {describe_goal(health)}"
        for goal in targets.platforms:
            yield f"  {goal.name}: {describe_goal(goal)}"
        if targets.growth is not None:
            for metric in targets.growth.metrics:
                stages = ", ".join(
                    _("month {m}: {n:,}").format(m=m, n=n) for m, n in metric.by_month.items()
                )
                yield f"  {metric.name}: {stages}"
        for support in targets.support:
            yield "  " + _("{name}: first response within {d} for {when}").format(
                name=support.name,
                d=format_duration(support.first_response_within),
                when=describe_when(support.opens),
            )
