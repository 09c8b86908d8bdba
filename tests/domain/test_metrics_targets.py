"""Targets and their status, the default Phoenix and Atlas numbers, and the growth stages."""

from datetime import UTC, datetime

import pytest

from hearth.domain.metrics.common import KindMonth, People, week_of
from hearth.domain.metrics.defaults import ATLAS, PHOENIX, PHOENIX_STAGE_TABLE, TARGET_SETS
from hearth.domain.metrics.members import MemberActivity, member_histories
from hearth.domain.metrics.stages import growth_stages
from hearth.domain.metrics.targets import Target, evaluate_targets, lookup


def test_status_for_a_lower_is_better_target() -> None:
    target = Target("time_to_first_response.median_hours", "<", 2)
    assert target.amber_threshold == pytest.approx(2.4)
    assert target.status(1.5) == "green"
    assert target.status(2.0) == "amber"  # "under 2 hours" is not met at exactly 2
    assert target.status(2.4) == "amber"
    assert target.status(2.5) == "red"
    assert target.status(None) == "unknown"


def test_status_for_a_higher_is_better_target_with_its_own_amber() -> None:
    target = Target("resolution_rate", ">=", 0.9, amber=0.75)
    assert [target.status(v) for v in (0.95, 0.9, 0.8, 0.75, 0.7)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
    ]


def test_a_negative_target_value_keeps_a_sensible_amber_band() -> None:
    target = Target("nps.score", ">", -10)
    assert target.amber_threshold == pytest.approx(-12)
    assert target.status(-11) == "amber"


def test_bad_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="comparison"):
        Target("x", "=", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="growth-stage"):
        Target("members.total", ">=", 1, month=3)


def test_lookup_follows_dotted_paths() -> None:
    metrics = {"a": {"b": {"c": 3}}, "n": None}
    assert lookup(metrics, "a.b.c") == 3
    assert lookup(metrics, "a.x.c") is None
    assert lookup(metrics, "n.y") is None


def test_evaluate_targets_against_a_report() -> None:
    report = {
        "time_to_first_response": {"median_hours": 1.0, "by_type": {}},
        "resolution_rate": None,
        "growth_stages": {
            "complete": 3,
            "series": {"discord_members": [120, 300, 450, None], "production_users": None},
        },
    }
    targets = [
        Target("time_to_first_response.median_hours", "<", 2),
        Target("resolution_rate", ">", 0.9),
        Target("time_to_first_response.by_type.ticket.median_hours", "<", 24),
        Target("stages.discord_members", ">=", 100, month=1),
        Target("stages.discord_members", ">=", 500, month=3),
        Target("stages.discord_members", ">=", 2000, month=6),
        Target("stages.production_users", ">=", 5, month=1),
    ]
    results = evaluate_targets(targets, report)
    assert [(r.actual, r.status) for r in results] == [
        (1.0, "green"),
        (None, "unknown"),
        (None, "unknown"),
        (120.0, "green"),
        (450.0, "amber"),
        (None, "pending"),
        (None, "unknown"),
    ]
    assert results[4].to_dict() == {
        "metric": "stages.discord_members",
        "month": 3,
        "op": ">=",
        "target": 500,
        "amber": 400.0,
        "actual": 450.0,
        "status": "amber",
    }


def test_the_default_numbers_are_the_strategies() -> None:
    phoenix = {(t.metric, t.month): (t.op, t.value) for t in PHOENIX.targets}
    assert phoenix[("time_to_first_response.median_hours", None)] == ("<", 2)
    assert phoenix[("resolution_rate", None)] == (">", 0.9)
    assert phoenix[("members.growth", None)] == (">=", 0.2)
    assert phoenix[("members.weekly_active.share", None)] == (">", 0.3)
    assert phoenix[("contributors.growth", None)] == (">=", 0.1)
    assert phoenix[("content.per_month", None)] == (">=", 20)
    assert phoenix[("nps.score", None)] == (">", 50)
    assert phoenix[("stages.discord_members", 12)] == (">=", 10_000)
    assert phoenix[("stages.github_stars", 6)] == (">=", 5_000)
    assert len(PHOENIX.targets) == 7 + 4 * len(PHOENIX_STAGE_TABLE)
    atlas = {(t.metric, t.month): (t.op, t.value) for t in ATLAS.targets}
    assert atlas == {
        ("time_to_first_response.by_type.ticket.median_hours", None): ("<", 24),
        ("stages.discord_active_members", 1): (">=", 100),
    }
    assert set(TARGET_SETS) == {"phoenix", "atlas"}


def test_every_default_target_names_a_metric_of_the_report() -> None:
    from hearth.domain.metrics import MetricInputs, Period, health_report
    from hearth.domain.metrics.members import MemberHistory

    period = Period(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
    inputs = MetricInputs(
        period=period,
        people=People(),
        contribution_kinds=frozenset(),
        histories={None: MemberHistory(), "discord": MemberHistory()},
        launch=period.since,
    )
    report = health_report(inputs, PHOENIX)
    series = report["growth_stages"]["series"]

    def has(path: str) -> bool:
        *parents, last = path.split(".")
        holder = lookup(report, ".".join(parents)) if parents else report
        return isinstance(holder, dict) and last in holder

    for target in PHOENIX.targets + ATLAS.targets:
        if target.month is None:
            # per-type figures exist once there is a thread of that type
            assert has(target.metric.split(".ticket.")[0]), target.metric
        else:
            assert target.metric.removeprefix("stages.") in series, target.metric


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def test_growth_stages_month_by_month_after_launch() -> None:
    people = People(bots=frozenset({9}))
    activity = [
        MemberActivity(1, "discord", "2024-01", week_of(at("2024-01-05")), at("2024-01-05")),
        MemberActivity(2, "discord", "2024-02", week_of(at("2024-02-05")), at("2024-02-05")),
        MemberActivity(2, "discord", "2024-03", week_of(at("2024-03-05")), at("2024-03-05")),
        MemberActivity(3, "github", "2024-01", week_of(at("2024-01-06")), at("2024-01-06")),
        MemberActivity(9, "discord", "2024-01", week_of(at("2024-01-07")), at("2024-01-07")),
    ]
    discord = member_histories(activity, people, ["discord"])["discord"]
    rows = [
        KindMonth(3, "github", "repo.starred", "2023-12", at("2023-12-01"), 1, 0),
        KindMonth(3, "github", "repo.starred", "2024-02", at("2024-02-01"), 1, 1),
        KindMonth(1, "discourse", "content.published", "2024-02", at("2024-02-02"), 2, 2),
        KindMonth(9, "github", "repo.starred", "2024-01", at("2024-01-02"), 5, 5),  # a bot
    ]
    first_contribution = {3: at("2024-01-20"), 1: at("2024-03-02")}
    until = datetime(2024, 3, 20, tzinfo=UTC)  # March is not over
    stages = growth_stages("2024-01", until, discord, first_contribution, rows, people)
    assert stages["months"][:3] == ["2024-01", "2024-02", "2024-03"]
    assert stages["complete"] == 2
    series = stages["series"]
    assert series["discord_members"][:3] == [1, 2, None]
    assert series["discord_active_members"][:2] == [1, 1]
    assert series["github_stars"][:2] == [1, 2]  # a star before launch counts too
    assert series["contributors"][:2] == [1, 1]
    assert series["community_content"][:2] == [0, 2]
    assert series["production_users"] is None
    assert len(series["discord_members"]) == 12
