"""The Phoenix onboarding funnel."""

from datetime import UTC, datetime

from hearth.domain.metrics.common import KindMonth, Period
from hearth.domain.metrics.contributors import contribution_kinds
from hearth.domain.metrics.funnel import funnel_kinds, onboarding_funnel, phoenix_funnel

STEPS = phoenix_funnel(contribution_kinds())
JAN = Period(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
IN_JAN = datetime(2024, 1, 10, tzinfo=UTC)


def did(member: int, kind: str, platform: str = "discord") -> KindMonth:
    return KindMonth(member, platform, kind, "2024-01", IN_JAN, 1, 1)


def by_step(result: dict) -> dict:
    return {step["step"]: step for step in result["steps"]}


def test_the_steps_in_order() -> None:
    assert [s.name for s in STEPS] == [
        "joined",
        "introduced",
        "role_picked",
        "first_project",
        "got_help",
        "contributed",
        "champion",
    ]
    assert {"member.introduced", "thanks.given", "pr.merged"} <= funnel_kinds(STEPS)


def test_funnel_counts_the_cohort_in_order_and_at_all() -> None:
    first_seen = {1: IN_JAN, 2: IN_JAN, 3: IN_JAN, 4: datetime(2023, 12, 1, tzinfo=UTC)}
    rows = [
        did(1, "member.introduced"),
        did(1, "member.role_picked"),
        did(1, "project.shared"),
        did(1, "thanks.given"),
        did(1, "pr.opened", "github"),
        did(2, "member.introduced"),
        did(3, "member.role_picked"),  # skipped the introduction
        did(4, "member.introduced"),  # joined before the period: not in the cohort
    ]
    result = onboarding_funnel(STEPS, first_seen, rows, JAN)
    steps = by_step(result)
    assert result["cohort"] == 3
    assert steps["joined"]["members"] == 3 and steps["joined"]["conversion"] is None
    assert steps["introduced"]["members"] == 2
    assert steps["introduced"]["conversion"] == round(2 / 3, 4)
    assert (steps["role_picked"]["members"], steps["role_picked"]["reached"]) == (1, 2)
    assert steps["contributed"]["members"] == 1
    assert steps["champion"] == {  # no tiers known (the rules engine has not run)
        "step": "champion",
        "available": False,
        "members": 0,
        "reached": 0,
        "conversion": None,
    }


def test_the_champion_step_counts_tiers_begun_before_the_period_ends() -> None:
    first_seen = {1: IN_JAN, 2: IN_JAN, 3: IN_JAN, 4: datetime(2023, 12, 1, tzinfo=UTC)}
    rows = [did(m, kind) for m in (1, 2) for kind in (
        "member.introduced", "member.role_picked", "project.shared", "thanks.given", "pr.merged"
    )]  # fmt: skip
    reached = {
        1: datetime(2024, 1, 20, tzinfo=UTC),  # in the cohort, did every step
        3: datetime(2024, 1, 25, tzinfo=UTC),  # in the cohort, skipped the others
        4: datetime(2024, 1, 5, tzinfo=UTC),  # joined before the period: not in the cohort
        2: datetime(2024, 2, 1, tzinfo=UTC),  # from the period's end on: not counted
    }
    steps = by_step(onboarding_funnel(STEPS, first_seen, rows, JAN, tier_reached=reached))
    assert steps["contributed"]["members"] == 2
    assert steps["champion"] == {
        "step": "champion",
        "available": True,
        "members": 1,
        "reached": 2,
        "conversion": 0.5,
    }
    none_yet = by_step(onboarding_funnel(STEPS, first_seen, rows, JAN, tier_reached={}))
    assert none_yet["champion"]["available"] is True and none_yet["champion"]["reached"] == 0


def test_got_help_is_being_helped_and_the_platform_filter_applies() -> None:
    first_seen = {1: IN_JAN, 2: IN_JAN}
    rows = [did(1, "answer.accepted", "stackexchange"), did(2, "thread.solved", "discourse")]
    steps = by_step(onboarding_funnel(STEPS, first_seen, rows, JAN, platform="discourse"))
    assert steps["got_help"]["reached"] == 1


def test_an_empty_cohort() -> None:
    result = onboarding_funnel(STEPS, {}, [], JAN)
    assert result["cohort"] == 0
    assert all(step["members"] == 0 for step in result["steps"])
    assert by_step(result)["introduced"]["conversion"] is None
