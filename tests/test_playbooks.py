"""The shipped playbooks carry their strategies' numbers; the loader's errors say where."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hearth.domain.playbook import Playbook, compile_amount
from hearth.domain.playbook.schema import (
    ActiveDaysRequirement,
    CountAchievement,
    CountMeasure,
    CountRequirement,
    HelpedAchievement,
    HelpedRequirement,
    ManualAchievement,
    ManualRequirement,
    PerItemAchievement,
    PointsAchievement,
    PointsWithinAchievement,
    TenureRequirement,
)
from hearth.playbooks import (
    PLAYBOOK_DIR,
    PlaybookError,
    load_playbook,
    parse_playbook_text,
    shipped_playbooks,
)
from hearth.playbooks.describe import playbook_lines
from hearth.playbooks.reference import playbook_markdown

DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def phoenix() -> Playbook:
    return load_playbook("phoenix")


@pytest.fixture(scope="module")
def atlas() -> Playbook:
    return load_playbook("atlas")


@pytest.fixture(scope="module")
def stackexchange() -> Playbook:
    return load_playbook("stackexchange")


def test_the_three_playbooks_are_shipped_and_load() -> None:
    assert shipped_playbooks() == ["atlas", "phoenix", "stackexchange"]
    for name in shipped_playbooks():
        book = load_playbook(name)
        assert book.name == name
        assert list(playbook_lines(book))
    # A path works too.
    assert load_playbook(PLAYBOOK_DIR / "atlas.yaml").name == "atlas"


def points_of(book: Playbook, key: str, **properties: Any) -> int | None:
    rule = book.rule(key)
    assert rule is not None, key
    return compile_amount(rule.points)(properties)


# -- phoenix --------------------------------------------------------------------------------


def test_phoenix_points(phoenix: Playbook) -> None:
    assert points_of(phoenix, "answer_question") == 10
    assert points_of(phoenix, "answer_question_discord") == 10
    assert points_of(phoenix, "create_tutorial") == 100
    assert points_of(phoenix, "share_project") == 25
    assert points_of(phoenix, "share_project_discord") == 25
    assert points_of(phoenix, "help_newcomer") == 15
    # Fix bug: 50-500 by severity.
    severities = {"low": 50, "medium": 100, "high": 250, "critical": 500}
    for severity, points in severities.items():
        assert points_of(phoenix, "fix_bug", severity=severity) == points
    assert points_of(phoenix, "fix_bug") == 50
    assert points_of(phoenix, "fix_bug", severity="p0") == 500
    fix_bug = phoenix.rule("fix_bug")
    assert fix_bug is not None and fix_bug.when is not None
    assert fix_bug.when.kind == ["pr.merged"]
    help_newcomer = phoenix.rule("help_newcomer")
    assert help_newcomer is not None and help_newcomer.on_help is not None
    assert help_newcomer.on_help.newcomer_within == 30 * DAY
    assert help_newcomer.recipient == "helper"
    tutorial = phoenix.rule("create_tutorial")
    assert tutorial is not None and tutorial.when is not None
    assert tutorial.when.where_clause() == {"content_type": "tutorial"}


def test_phoenix_achievements(phoenix: Playbook) -> None:
    names = {a.key: a.name for a in phoenix.achievements}
    assert names == {
        "first_pr": "First PR",
        "helpful_hand": "Helpful Hand",
        "knowledge_sharer": "Knowledge Sharer",
        "bug_hunter": "Bug Hunter",
        "early_adopter": "Early Adopter",
        "architect": "Architect",
        "rising_star": "Rising Star",
        "phoenix_master": "Phoenix Master",
    }
    first_pr = phoenix.achievement("first_pr")
    assert isinstance(first_pr, CountAchievement)
    assert (first_pr.match.kind, first_pr.at_least) == (["pr.opened"], 1)
    helpful = phoenix.achievement("helpful_hand")
    assert isinstance(helpful, HelpedAchievement) and helpful.at_least == 10
    sharer = phoenix.achievement("knowledge_sharer")
    assert isinstance(sharer, CountAchievement) and sharer.at_least == 3
    assert sharer.match.where_clause() == {"content_type": "tutorial"}
    hunter = phoenix.achievement("bug_hunter")
    assert isinstance(hunter, CountAchievement) and hunter.at_least == 5
    assert hunter.match.kind == ["issue.labeled"]
    assert hunter.match.where_clause() == {"label": "bug"}
    assert (hunter.match.role, hunter.distinct_by) == ("target_owner", "target_id")
    early = phoenix.achievement("early_adopter")
    assert isinstance(early, CountAchievement)
    assert early.match.where_clause()["channel"] == "🚀-beta-testing"
    assert isinstance(phoenix.achievement("architect"), ManualAchievement)
    rising = phoenix.achievement("rising_star")
    assert isinstance(rising, PointsWithinAchievement)
    assert (rising.window, rising.since, rising.at_least) == (30 * DAY, "joined", 100)
    master = phoenix.achievement("phoenix_master")
    assert isinstance(master, PointsAchievement) and master.at_least == 1000


def requirement_numbers(book: Playbook, tier: str) -> list[tuple[str, Any]]:
    found = book.tier(tier)
    assert found is not None
    numbers: list[tuple[str, Any]] = []
    for req in found.requires:
        if isinstance(req, CountRequirement):
            numbers.append(("count " + "/".join(req.match.kind), req.at_least))
        elif isinstance(req, HelpedRequirement):
            numbers.append(("helped", req.at_least))
        elif isinstance(req, TenureRequirement):
            numbers.append((f"tenure {req.platform or 'community'}", req.at_least))
        elif isinstance(req, ActiveDaysRequirement):
            numbers.append((f"active {req.platform or 'community'}", (req.at_least, req.within)))
        elif isinstance(req, ManualRequirement):
            numbers.append(("manual", req.key))
    return numbers


def test_phoenix_tiers_requirements(phoenix: Playbook) -> None:
    assert [t.key for t in phoenix.tiers] == ["contributor", "advocate", "champion", "core_team"]
    assert requirement_numbers(phoenix, "contributor") == [
        ("count pr.merged", 1),
        ("tenure discord", 30 * DAY),  # Active in Discord for 30+ days
        ("active discord", (1, 30 * DAY)),
        ("helped", 5),
    ]
    assert requirement_numbers(phoenix, "advocate") == [
        ("count pr.merged", 5),
        ("count content.published", 1),  # tutorial or blog post
        ("helped", 25),
        ("tenure community", 90 * DAY),  # 3+ months active
        ("active community", (1, 30 * DAY)),
    ]
    assert requirement_numbers(phoenix, "champion") == [
        ("count pr.merged", 10),
        ("count content.published", 2),  # multiple content pieces
        ("manual", "maintains_package"),
        ("count content.published", 1),  # conference speaker
        ("tenure community", 180 * DAY),  # 6+ months active
        ("active community", (1, 30 * DAY)),
    ]
    advocate = phoenix.tier("advocate")
    assert advocate is not None
    content = advocate.requires[1]
    assert isinstance(content, CountRequirement)
    assert content.match.where_clause() == {"content_type": {"in": ["tutorial", "blog_post"]}}
    core = phoenix.tier("core_team")
    assert core is not None and core.manual and core.requires == []
    assert all(t.grace == 30 * DAY for t in phoenix.tiers if not t.manual)


def test_phoenix_tier_benefits(phoenix: Playbook) -> None:
    benefits = {t.key: [b.name for b in t.benefits] for t in phoenix.tiers}
    assert benefits == {
        "contributor": [
            "Contributor badge",
            "Early feature access",
            "Monthly newsletter",
            "Phoenix stickers",
        ],
        "advocate": [
            "Advocate badge",
            "Direct team access via private channel",
            "Conference speaking support ($500/year)",
            "Phoenix swag pack",
            "Beta features access",
        ],
        "champion": [
            "Champion badge",
            "Quarterly team calls",
            "Conference sponsorship ($2000/year)",
            "Co-marketing opportunities",
            "Phoenix hoodie + premium swag",
            "Product roadmap influence",
        ],
        "core_team": [
            "All Champion benefits",
            "Annual team meetup invitation",
            "Phoenix Core Team title",
            "Significant roadmap influence",
            "Recognition on website",
        ],
    }
    budgets = {
        (t.key, b.budget_usd, b.per) for t in phoenix.tiers for b in t.benefits if b.budget_usd
    }
    assert budgets == {("advocate", 500, "year"), ("champion", 2000, "year")}


def test_phoenix_helped_and_leaderboards(phoenix: Playbook) -> None:
    assert {h.key: (h.when.kind, h.helper, h.helped) for h in phoenix.helped} == {
        "accepted_answer": (["answer.accepted"], "target_owner", "actor"),
        "solved_thread": (["thread.solved"], "target_owner", "target_opener"),
        "thanked": (["thanks.given"], "target_owner", "actor"),
        "first_response": (["answer.posted", "thread.replied"], "actor", "target_owner"),
    }
    assert [b.name for b in phoenix.leaderboards] == [
        "Monthly contributors",
        "Most helpful members",
        "Top bug reporters",
        "Best content creators",
        "Fastest growing projects",
    ]
    projects = phoenix.leaderboard("fastest_growing_projects")
    assert projects is not None and projects.group_by == "target"
    assert isinstance(projects.measure, CountMeasure)
    assert projects.measure.match.kind == ["repo.starred"]


def test_phoenix_health_growth_and_platform_targets(phoenix: Playbook) -> None:
    health = {
        t.name: (t.metric, t.comparison, t.value, t.unit, t.period, t.platform)
        for t in phoenix.targets.health
    }
    assert health == {
        "Response Time": ("first_response_time", "<", 2, "hours", None, None),
        "Resolution Rate": ("resolution_rate", ">", 90, "percent", None, None),
        "Member Growth": ("new_members", ">=", 20, "percent", "month", "discord"),
        "Active Members": ("active_members", ">", 30, "percent", "week", "discord"),
        "Contributor Growth": ("new_contributors", ">=", 10, "percent", "month", "github"),
        "Content Creation": ("content_published", ">=", 20, "count", "month", None),
        "NPS Score": ("nps", ">", 50, "score", "quarter", None),
    }
    growth = phoenix.targets.growth
    assert growth is not None
    assert {m.name: m.by_month for m in growth.metrics} == {
        "Discord Members": {1: 100, 3: 500, 6: 2000, 12: 10000},
        "GitHub Stars": {1: 100, 3: 1000, 6: 5000, 12: 20000},
        "Contributors": {1: 10, 3: 50, 6: 150, 12: 500},
        "Community Content": {1: 5, 3: 20, 6: 50, 12: 100},
        "Production Users": {1: 5, 3: 25, 6: 100, 12: 500},
    }
    goals = {g.name: (g.value, g.period) for g in phoenix.targets.platforms}
    assert goals == {
        "Discord": (500, "day"),
        "GitHub": (100, "week"),
        "Forum": (50, "week"),
        "Reddit": (1000, None),
        "Stack Overflow": (100, "month"),
        "Twitter/X": (5000, None),
        "YouTube": (10000, None),
        "Dev.to": (20, "month"),
        "Twitch": (100, None),
    }
    assert all(g.comparison == ">=" for g in phoenix.targets.platforms)
    (support,) = phoenix.targets.support
    assert support.first_response_within == timedelta(hours=2)


def test_phoenix_programs(phoenix: Playbook) -> None:
    assert phoenix.bounties is not None
    ranges = {
        c.key: [(r.name, r.min_usd, r.max_usd, r.usd) for r in c.rewards]
        for c in phoenix.bounties.categories
    }
    assert ranges == {
        "bug_fixes": [
            ("Critical", 1000, 5000, None),
            ("Major", 500, 1000, None),
            ("Minor", 100, 500, None),
            ("Documentation", 50, 200, None),
        ],
        "features": [
            ("Core features", 2000, 10000, None),
            ("Integrations", 1000, 5000, None),
            ("CLI improvements", 500, 2000, None),
            ("Examples", 200, 1000, None),
        ],
        "content": [
            ("Technical tutorials", 300, 1000, None),
            ("Video tutorials", 500, 2000, None),
            ("Blog posts", 200, 500, None),
            ("Translations", 100, 500, None),
        ],
        "security": [
            ("Critical vulnerabilities", 5000, 20000, None),
            ("High severity", 2000, 5000, None),
            ("Medium severity", 500, 2000, None),
            ("Low severity", 100, 500, None),
        ],
        "special": [
            ("Performance improvements", None, None, 1000),
            ("Reduce binary size", None, None, 500),
            ("Startup time", None, None, 500),
            ("Memory usage", None, None, 500),
        ],
    }
    translations = phoenix.bounties.categories[2].rewards[3]
    assert translations.per == "language"
    mentorship = phoenix.mentorship
    assert mentorship is not None
    assert (mentorship.mentees_per_mentor, mentorship.duration_months) == (3, 3)
    assert mentorship.hours_per_week == 2
    assert phoenix.governance is not None and phoenix.governance.council is not None
    council = phoenix.governance.council
    assert (council.seats, council.term_months, council.elected) == (7, 6, True)
    assert phoenix.moderation is not None
    ladder = [(s.action, s.on_violation, s.severe) for s in phoenix.moderation.ladder]
    assert ladder == [
        ("warning", 1, False),
        ("temporary_ban", 2, False),
        ("permanent_ban", 3, True),
    ]
    assert phoenix.budget is not None and phoenix.budget.annual_usd == 300_000
    lines = {line.key: line.usd for line in phoenix.budget.lines}
    assert lines == {
        "community_events": 80_000,
        "bounty_program": 60_000,
        "champions_program": 50_000,
        "content_creation": 40_000,
        "tools_infrastructure": 30_000,
        "student_program": 25_000,
        "international": 15_000,
    }
    hackathon = next(c for c in phoenix.calendar if c.key == "hackathon")
    assert (hackathon.per, hackathon.duration) == ("quarter", timedelta(hours=48))
    blog = next(c for c in phoenix.calendar if c.key == "blog_posts")
    assert (blog.times, blog.per) == (2, "week")
    assert phoenix.server is not None
    # the strategy's 36 channels, and the team's mod-log (the playbook's own addition)
    channels = [ch.name for cat in phoenix.server.categories for ch in cat.channels]
    assert len(channels) == 37 and channels[-1] == "🛡️-mod-log"
    assert "🆘-quick-help" in channels and "🚀-beta-testing" in channels


# -- atlas and stackexchange ----------------------------------------------------------------


def test_atlas(atlas: Playbook) -> None:
    (tickets,) = atlas.targets.support
    assert tickets.opens.kind == ["ticket.opened"]
    assert tickets.first_response_within == timedelta(hours=24)
    assert atlas.targets.growth is not None
    (active,) = atlas.targets.growth.metrics
    assert (active.metric, active.platform, active.by_month) == (
        "active_members",
        "discord",
        {1: 100},
    )
    schedule = {c.key: (c.type, c.per) for c in atlas.calendar}
    assert schedule["ama"] == ("event", "month")
    assert schedule["weekly_tip"] == ("content", "week")
    assert schedule["roadmap_update"] == ("content", "month")
    contest = atlas.leaderboard("feature_suggestion_contest")
    assert contest is not None and contest.group_by == "target"
    assert [p.place for p in contest.prizes] == [1, 2, 3]
    assert atlas.leaderboard("helpful_members") is not None
    tracked = {t.key for t in atlas.targets.health if t.comparison is None}
    assert {"feature_suggestions", "feature_upvotes"} <= tracked
    assert [(s.from_day, s.to_day) for s in atlas.launch_plan] == [(1, 2), (3, 4), (5, 6), (7, 7)]


def test_stackexchange_reputation(stackexchange: Playbook) -> None:
    points = stackexchange.points
    assert (points.starting_balance, points.floor) == (1, 1)
    assert points.groups["votes"].daily_cap == 200
    capped = {r.key for r in points.rules if r.group == "votes"}
    assert capped == {"question_upvoted", "answer_upvoted", "post_downvoted"}
    assert points_of(stackexchange, "question_upvoted") == 5
    assert points_of(stackexchange, "answer_upvoted") == 10
    assert points_of(stackexchange, "post_downvoted") == -2
    assert points_of(stackexchange, "answer_accepted") == 15
    assert points_of(stackexchange, "accepts_answer") == 2
    assert points_of(stackexchange, "bounty_offered", bounty_amount=50) == -50
    assert points_of(stackexchange, "bounty_awarded", bounty_amount=50) == 50
    recipients = {r.key: r.recipient for r in points.rules}
    assert recipients["bounty_offered"] == "actor"
    assert recipients["bounty_awarded"] == "target_owner"
    assert recipients["accepts_answer"] == "actor"
    for key in ("question_upvoted", "answer_upvoted", "post_downvoted"):
        rule = stackexchange.rule(key)
        assert rule is not None and rule.exclude == ["community_wiki"]
    for key in ("answer_accepted", "accepts_answer"):
        rule = stackexchange.rule(key)
        assert rule is not None and rule.when is not None
        assert rule.when.where_clause() == {"self_accept": {"ne": True}}


def test_stackexchange_badges(stackexchange: Playbook) -> None:
    thresholds: dict[str, Any] = {}
    for badge in stackexchange.achievements:
        if isinstance(badge, PerItemAchievement):
            thresholds[badge.name] = (badge.at_least, badge.repeatable)
        else:
            assert isinstance(badge, CountAchievement)
            thresholds[badge.name] = badge.at_least
    assert thresholds == {
        "Student": (1, False),
        "Teacher": (1, False),
        "Scholar": 1,
        "Nice Answer": (10, True),
        "Good Answer": (25, True),
        "Great Answer": (100, True),
        "Nice Question": (10, True),
        "Good Question": (25, True),
        "Great Question": (100, True),
        "Popular Question": (1000, True),
        "Notable Question": (2500, True),
        "Famous Question": (10000, True),
        "Commentator": 10,
        "Autobiographer": 1,
        "Enlightened": (10, True),
        # Once per user: in both dumps no user holds it twice (17 holders, 17 badges).
        "Self-Learner": (3, False),
    }
    nice = stackexchange.achievement("nice_answer")
    assert isinstance(nice, PerItemAchievement)
    assert (nice.match.kind, nice.match.role, nice.item) == (
        ["vote.cast"],
        "target_owner",
        "target_id",
    )
    score = compile_amount(nice.value)
    assert [score({"vote_type": v}) for v in ("up", "down", "favorite")] == [1, -1, 0]
    learner = stackexchange.achievement("self_learner")
    assert isinstance(learner, PerItemAchievement)
    (own_answer,) = learner.also_on_item
    assert (own_answer.item, own_answer.match.actor_is_owner) == ("post_id", True)
    enlightened = stackexchange.achievement("enlightened")
    assert isinstance(enlightened, PerItemAchievement)
    assert [(c.match.kind, c.first_response) for c in enlightened.also_on_item] == [
        (["answer.accepted"], False),
        (["answer.posted"], True),
    ]


# -- errors with file, line and column ------------------------------------------------------

GOOD = """\
name: demo
title: Demo
version: 1
points:
  rules:
    - key: answer
      name: Answer
      when: {kind: answer.posted}
      points: 10
"""


def problems(tmp_path: Path, text: str) -> tuple[str, list[str]]:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError) as info:
        load_playbook(str(path))
    return str(path), info.value.problems


def test_the_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_playbook(str(path)).points.rules[0].key == "answer"


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path, found = problems(tmp_path, GOOD.replace("version: 1", " version: 1"))
    assert found == [f"{path}:3:9: YAML syntax error: mapping values are not allowed here"]
    path, found = problems(tmp_path, GOOD.replace("answer.posted}", "answer.posted"))
    assert found == [
        f"{path}:9:13: YAML syntax error: expected ',' or '}}', but got ':' (while parsing a "
        "flow mapping that starts at line 8, column 13)"
    ]


def test_unknown_field(tmp_path: Path) -> None:
    path, found = problems(tmp_path, GOOD + "      cooldwn: 1h\n")
    assert found == [
        f"{path}:10:7: points.rules[0].cooldwn: unknown field 'cooldwn' (did you mean "
        "'cooldown'?); expected one of: key, name, description, when, on_help, to, points, "
        "group, cooldown, exclude, effective"
    ]


def test_wrong_type(tmp_path: Path) -> None:
    path, found = problems(tmp_path, GOOD.replace("points: 10", "points: ten"))
    assert found == [f"{path}:9:15: points.rules[0].points: expected a whole number, got 'ten'"]
    path, found = problems(tmp_path, GOOD.replace("version: 1", "version: '1'"))
    assert found == [f"{path}:3:10: version: expected a whole number, got '1'"]


def test_bad_duration(tmp_path: Path) -> None:
    path, found = problems(tmp_path, GOOD + "      cooldown: 3mo\n")
    assert found == [
        f"{path}:10:17: points.rules[0].cooldown: '3mo': months and years are not allowed as "
        "durations because their length varies (28 to 31 days, 365 or 366); write days "
        "instead, e.g. 30d or 90d"
    ]


def test_unknown_activity_kind(tmp_path: Path) -> None:
    path, found = problems(tmp_path, GOOD.replace("answer.posted", "answer.postd"))
    assert found == [
        f"{path}:8:20: points.rules[0].when.kind: 'answer.postd' is not a registered activity "
        "kind; did you mean 'answer.posted'?"
    ]
    listed = GOOD.replace("{kind: answer.posted}", "{kind: [answer.posted, pr.shouted]}")
    path, found = problems(tmp_path, listed)
    assert found == [
        f"{path}:8:36: points.rules[0].when.kind[1]: 'pr.shouted' is not a registered activity "
        "kind; did you mean 'pr.opened'?"
    ]


def test_several_problems_in_file_order(tmp_path: Path) -> None:
    text = GOOD.replace("version: 1", "version: one").replace("points: 10", "points: ten")
    text += "      group: votes\nachievements:\n  - {key: a, name: A, type: cnt}\n  - {key: b}\n"
    path, found = problems(tmp_path, text)
    assert found == [
        f"{path}:3:10: version: expected a whole number, got 'one'",
        f"{path}:9:15: points.rules[0].points: expected a whole number, got 'ten'",
        f"{path}:12:29: achievements[0].type: expected one of 'count', 'helped', 'points', "
        "'points_within', 'per_item', 'manual', got 'cnt'",
        f"{path}:13:5: achievements[1]: missing 'type'; expected one of 'count', 'helped', "
        "'points', 'points_within', 'per_item', 'manual'",
    ]


def test_missing_fields_point_at_their_mapping(tmp_path: Path) -> None:
    path, found = problems(tmp_path, GOOD.replace("      name: Answer\n", ""))
    assert found == [f"{path}:6:7: points.rules[0].name: required field missing"]


def test_duplicates_and_references(tmp_path: Path) -> None:
    text = GOOD + "      group: votes\n    - key: answer\n      name: Again\n"
    text += "      when: {kind: answer.posted}\n      points: 1\n      points: 2\n"
    path, found = problems(tmp_path, text)
    assert found == [
        f"{path}:10:14: points.rules[0].group: unknown cap group 'votes'; defined: none",
        f"{path}:11:12: points.rules[1].key: duplicate key 'answer'",
        f"{path}:15:7: points.rules[1].points: duplicate key 'points' (first given at line 14)",
    ]


def test_empty_and_missing_files(tmp_path: Path) -> None:
    path, found = problems(tmp_path, "# nothing yet\n")
    assert found == [
        f"{path}:1:1: the file is empty; expected a playbook (name, title, version...)"
    ]
    with pytest.raises(PlaybookError, match="no such file, and not a shipped playbook"):
        load_playbook(str(tmp_path / "absent.yaml"))
    with pytest.raises(PlaybookError, match=r"<text>:1:1: expected a mapping of fields"):
        parse_playbook_text("- a list\n", "<text>")


def test_the_reference_documents_every_field() -> None:
    text = playbook_markdown()
    assert text.startswith("<!-- Generated by `hearth docs`")
    for heading in ("## Durations", "## Where clauses", "## Amounts", "## Windows", "## Metrics"):
        assert heading in text
    for section in (
        "### Playbook",
        "### Rule",
        "### PerItemAchievement (`type: per_item`)",
        "### Tier",
        "### Leaderboard",
        "### HealthTarget",
        "### Operators",
    ):
        assert section in text + "\n"
    for field in (
        "`starting_balance`",
        "`daily_cap`",
        "`also_on_item`",
        "`grace`",
        "`newcomer_within`",
        "`first_response_within`",
        "`from`",
        "`in`",
    ):
        assert f"| {field} |" in text


def test_keys_yaml_reads_as_other_values(tmp_path: Path) -> None:
    path, found = problems(tmp_path, GOOD + "on: 1\n")
    assert found == [
        f"{path}:10:1: on: expected a text key; YAML reads on, off, yes, no, true, false and "
        "numbers as other values, so quote it"
    ]
    growth = "targets:\n  growth:\n    metrics:\n"
    growth += "      - {key: a, name: A, metric: members, by_month: {0: 5, 3: x}}\n"
    path, found = problems(tmp_path, GOOD + growth)
    assert found == [
        f"{path}:13:55: targets.growth.metrics[0].by_month[0] (key): expected a number ≥ 1, got 0",
        f"{path}:13:64: targets.growth.metrics[0].by_month[3]: expected a whole number, got 'x'",
    ]
