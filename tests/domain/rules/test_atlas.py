"""The Atlas playbook's programs on a hand-built ledger: help, and the suggestion contest."""

from __future__ import annotations

from hearth.domain.rules import derive
from hearth.playbooks import load_playbook
from tests.domain.rules.factory import day, fact, ordered

ATLAS = load_playbook("atlas")


def test_most_helpful_counts_distinct_members_helped() -> None:
    facts = [
        fact("thread.started", day(0), actor=10, target="t1", platform="github"),
        fact("thread.replied", day(0.1), actor=1, owner=10, target="t1", platform="github"),
        fact("thread.replied", day(0.2), actor=2, owner=10, target="t1", platform="github"),
        fact("thanks.given", day(1), actor=11, owner=2, target="2", platform="discord"),
        fact("thanks.given", day(1.5), actor=12, owner=2, target="2", platform="discord"),
        fact("thread.solved", day(2), owner=1, target="t1", platform="github"),
    ]
    d = derive(ATLAS, ordered(facts), as_of=day(3))
    places = [(p.member_id, p.value) for p in d.leaderboard("helpful_members", "all_time")]
    # Member 2 helped 11 and 12 (thanks); member 1 helped 10 (first reply, then solved it).
    assert places == [(2, 2), (1, 1)]


def test_the_contest_ranks_ideas_by_thumbs_up() -> None:
    def vote(at: float, who: int, idea: str, emoji: str = "👍"):
        return fact(
            "reaction.added",
            day(at),
            actor=who,
            target=idea,
            target_type="message",
            platform="discord",
            channel="feature-requests",
            emoji=emoji,
        )

    facts = [vote(1, 1, "idea-a"), vote(1.1, 2, "idea-b"), vote(1.2, 3, "idea-b")]
    facts += [vote(1.3, 4, "idea-a", emoji="👎"), vote(1.4, 5, "idea-c")]
    d = derive(ATLAS, ordered(facts), as_of=day(2))
    places = [
        (p.subject, p.value) for p in d.leaderboard("feature_suggestion_contest", "this_month")
    ]
    # idea-a and idea-c tie at one vote: idea-a got there first.
    assert places == [("t:idea-b", 2), ("t:idea-a", 1), ("t:idea-c", 1)]
