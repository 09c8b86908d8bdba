"""Every Phoenix achievement and tier earned on hand-built ledgers; grace kept, then lost."""

from __future__ import annotations

from hearth.domain.rules import derive, to_seconds
from hearth.playbooks import load_playbook
from tests.domain.rules.factory import day, fact, ordered

PHOENIX = load_playbook("phoenix")


def awards(d, member: int) -> dict[str, object]:
    return {a.achievement: a.awarded_at for a in d.awards_of(member)}


def test_first_pr_knowledge_sharer_and_phoenix_master() -> None:
    facts = [fact("pr.opened", day(1), actor=1, target="pr1")]
    facts += [
        fact("content.published", day(2 + i), actor=1, content_type="tutorial") for i in range(10)
    ]
    d = derive(PHOENIX, ordered(facts))
    earned = awards(d, 1)
    assert earned["first_pr"] == to_seconds(day(1))
    assert earned["knowledge_sharer"] == to_seconds(day(4))  # the third tutorial
    assert earned["phoenix_master"] == to_seconds(day(11))  # the tenth: 1,000 points
    assert d.points(1) == 1000


def test_helpful_hand_counts_distinct_members_helped() -> None:
    facts = []
    for helped in range(2, 12):  # ten different askers accept member 1's answers
        facts.append(
            fact("answer.accepted", day(helped), actor=helped, owner=1, target=f"a{helped}")
        )
    facts.append(fact("answer.accepted", day(20), actor=2, owner=1, target="a99"))  # again
    d = derive(PHOENIX, ordered(facts))
    assert awards(d, 1)["helpful_hand"] == to_seconds(day(11))


def test_bug_hunter_needs_five_distinct_issues_labelled_bug() -> None:
    facts = [
        fact("issue.labeled", day(i), actor=9, owner=1, target=f"issue{i}", label="bug")
        for i in range(4)
    ]
    facts.append(fact("issue.labeled", day(5), actor=9, owner=1, target="issue0", label="bug"))
    facts.append(fact("issue.labeled", day(6), actor=9, owner=1, target="issue7", label="docs"))
    assert "bug_hunter" not in awards(derive(PHOENIX, ordered(facts)), 1)
    facts.append(fact("issue.labeled", day(7), actor=9, owner=1, target="issue8", label="bug"))
    assert awards(derive(PHOENIX, ordered(facts)), 1)["bug_hunter"] == to_seconds(day(7))


def test_early_adopter_architect_and_rising_star() -> None:
    channel = "🚀-beta-testing"
    facts = [
        fact("member.joined", day(0), actor=1, platform="discord"),
        fact("message.posted", day(1), actor=1, platform="discord", channel=channel),
        fact("achievement.awarded", day(2), owner=1, achievement="architect", reason="RFC 7"),
        # 100 points within the first 30 days: a tutorial on day 29.
        fact("content.published", day(29), actor=1, content_type="tutorial"),
        # Member 2 gets there only on day 31: too late for Rising Star.
        fact("member.joined", day(0), actor=2, platform="discord"),
        fact("content.published", day(31), actor=2, content_type="tutorial"),
    ]
    d = derive(PHOENIX, ordered(facts))
    earned = awards(d, 1)
    assert earned["early_adopter"] == to_seconds(day(1))
    assert earned["architect"] == to_seconds(day(2))
    assert earned["rising_star"] == to_seconds(day(29))
    assert "rising_star" not in awards(d, 2)
    manual = [a for a in d.awards_of(1) if a.achievement == "architect"]
    assert manual[0].manual


def contributor_ledger(last_discord_day: float) -> list:
    facts = [fact("member.joined", day(0), actor=1, platform="discord")]
    facts.append(fact("pr.merged", day(1), actor=1, target="pr1"))
    for helped in range(2, 7):  # five members helped
        facts.append(fact("answer.accepted", day(2), actor=helped, owner=1, target=f"a{helped}"))
    facts.append(
        fact(
            "message.posted",
            day(last_discord_day),
            actor=1,
            platform="discord",
            channel="💬-general",
        )
    )
    return ordered(facts)


def tier_at(facts, when) -> object:
    """Member 1's tier at ``when``, from the activities up to then."""
    d = derive(PHOENIX, [f for f in facts if f.at <= to_seconds(when)], as_of=when)
    return d.tier(1)


def test_contributor_tier_is_earned_when_the_last_requirement_holds() -> None:
    facts = contributor_ledger(last_discord_day=20)
    assert tier_at(facts, day(29)) is None  # 30 days on Discord not reached yet
    held = tier_at(facts, day(31))
    assert held is not None and held.tier == "contributor"
    assert held.since == to_seconds(day(30))  # the moment tenure completed
    assert held.grace_until is None


def test_a_tier_is_kept_through_the_grace_period_then_lost() -> None:
    facts = contributor_ledger(last_discord_day=35)
    # Active on Discord on day 35 (12:00): that day counts until 30 days after it ends (day 65.5),
    # and the 30-day grace keeps the tier until day 95.5.
    kept = tier_at(facts, day(80))
    assert kept is not None and kept.tier == "contributor"
    assert kept.grace_until == to_seconds(day(95.5))
    assert tier_at(facts, day(96)) is None


def test_activity_during_grace_keeps_the_run() -> None:
    facts = contributor_ledger(last_discord_day=35)
    facts.append(fact("message.posted", day(80), actor=1, platform="discord", channel="💬-general"))
    held = tier_at(ordered(facts), day(100))
    # Day 30 completed the tenure while the join day (day 0) still counted as recent activity:
    # the run began then, bridged the gap to day 35 and the grace to day 80.
    assert held is not None and held.since == to_seconds(day(30)) and held.grace_until is None


def test_a_tier_lost_and_regained_keeps_when_it_was_first_held() -> None:
    facts = contributor_ledger(last_discord_day=35)  # held from day 30, lost at day 95.5
    for when in (200, 210):  # back on day 200; the track is evaluated again on day 210
        facts.append(
            fact("message.posted", day(when), actor=1, platform="discord", channel="💬-general")
        )
    facts = ordered(facts)
    held = tier_at(facts, day(211))
    assert held is not None and held.since == to_seconds(day(200))  # a new run
    track = derive(PHOENIX, facts).fold.members[1].tracks["contributor"]
    assert (track.first, track.since) == (to_seconds(day(30)), to_seconds(day(200)))


def advocate_ledger() -> list:
    facts = [fact("member.joined", day(0), actor=1, platform="discord")]
    facts += [fact("pr.merged", day(1 + i), actor=1, target=f"pr{i}") for i in range(10)]
    facts += [
        fact("answer.accepted", day(2), actor=h, owner=1, target=f"a{h}") for h in range(2, 28)
    ]
    facts.append(fact("content.published", day(3), actor=1, content_type="blog_post"))
    facts.append(fact("content.published", day(4), actor=1, content_type="talk"))
    facts += [  # active on Discord every ten days
        fact("message.posted", day(d), actor=1, platform="discord", channel="c")
        for d in range(5, 200, 10)
    ]
    return facts


def test_advocate_champion_and_core_team() -> None:
    facts = advocate_ledger()
    assert tier_at(ordered(facts), day(100)).tier == "advocate"
    # Champion also needs 180 days and a maintained package, which staff confirm.
    assert tier_at(ordered(facts), day(185)).tier == "advocate"
    facts.append(
        fact(
            "requirement.confirmed",
            day(181),
            owner=1,
            requirement="maintains_package",
            reason="phoenix-contrib",
        )
    )
    assert tier_at(ordered(facts), day(185)).tier == "champion"
    facts.append(fact("tier.granted", day(186), owner=1, tier="core_team", reason="invited"))
    assert tier_at(ordered(facts), day(187)).tier == "core_team"
    facts.append(fact("tier.revoked", day(188), owner=1, tier="core_team", reason="stepped down"))
    assert tier_at(ordered(facts), day(189)).tier == "champion"


def test_progress_names_what_is_missing() -> None:
    from hearth.domain.rules import progress

    d = derive(PHOENIX, contributor_ledger(last_discord_day=20)[:3], as_of=day(10))
    ms = d.fold.members[1]
    lines = {
        r["label"]: r for r in progress(d.fold.tiers, ms, to_seconds(day(10)))[0]["requirements"]
    }
    assert lines["merged PRs"]["met"] is True
    assert lines["community members helped"] == {
        "label": "community members helped",
        "type": "helped",
        "current": 1,
        "needed": 5,
        "met": False,
    }


def test_bots_earn_no_achievements_or_tiers_unless_staff_award_them() -> None:
    from hearth.domain.rules import MemberFlags

    facts = [
        fact("pr.opened", day(1), actor=7, target="pr1"),
        fact("achievement.awarded", day(2), owner=7, achievement="architect", reason="test"),
    ]
    d = derive(PHOENIX, ordered(facts), flags={7: MemberFlags(is_bot=True)})
    assert list(awards(d, 7)) == ["architect"]
