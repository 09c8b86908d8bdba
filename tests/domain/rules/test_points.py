"""Points rules: amounts, recipients, exclusions, cooldowns, caps, floors, dates, grants."""

from __future__ import annotations

from hearth.domain.rules import derive
from hearth.playbooks import load_playbook, parse_playbook_text
from tests.domain.rules.factory import day, fact, ordered

PHOENIX = load_playbook("phoenix")
SE = load_playbook("stackexchange")


def test_answer_pays_the_answerer_but_not_for_answering_oneself() -> None:
    d = derive(
        PHOENIX,
        [
            fact("answer.posted", day(0), actor=1, owner=2, target="q1"),
            fact("answer.posted", day(0.1), actor=2, owner=2, target="q1"),
        ],
    )
    assert d.points(1) == 10
    assert d.points(2) == 0
    assert d.breakdown(1) == {"answer_question": [10, 1]}


def test_bug_fix_points_come_from_the_severity_label() -> None:
    d = derive(
        PHOENIX,
        [
            fact("pr.merged", day(0), actor=1, labels=["bug"], severity="critical"),
            fact("pr.merged", day(1), actor=1, labels=["bug"], severity="medium"),
            fact("pr.merged", day(2), actor=1, labels=["bug"]),  # no severity: the minimum
            fact("pr.merged", day(3), actor=1, labels=["docs"], severity="critical"),  # no bug
        ],
    )
    assert d.points(1) == 500 + 100 + 50


def test_discord_answers_are_paid_once_per_cooldown() -> None:
    channel = "🆘-quick-help"
    messages = [
        fact("message.posted", day(0), actor=1, platform="discord", channel=channel, reply_to="m"),
        fact(
            "message.posted",
            day(0) + (day(1) - day(0)) / 1440 * 5,  # 5 minutes later: inside the cooldown
            actor=1,
            platform="discord",
            channel=channel,
            reply_to="m",
        ),
        fact(
            "message.posted", day(0.01), actor=1, platform="discord", channel=channel, reply_to="m"
        ),  # 14.4 minutes later: paid
        fact("message.posted", day(0.02), actor=1, platform="discord", channel="🎨-showcase"),
    ]
    d = derive(PHOENIX, ordered(messages))
    assert d.breakdown(1)["answer_question_discord"] == [20, 2]
    assert d.breakdown(1)["share_project_discord"] == [25, 1]


def test_bots_are_not_paid() -> None:
    from hearth.domain.rules import MemberFlags

    channel = "🆘-quick-help"
    d = derive(
        PHOENIX,
        [
            fact(
                "message.posted", day(0), actor=7, platform="discord", channel=channel, reply_to="x"
            )
        ],
        flags={7: MemberFlags(is_bot=True)},
    )
    assert d.points(7) == 0


def test_helping_a_newcomer_pays_fifteen_more_within_their_first_30_days() -> None:
    d = derive(
        PHOENIX,
        ordered(
            [
                fact("member.joined", day(0), actor=2, platform="discord"),
                fact("question.asked", day(1), actor=2, target="q1"),
                fact("answer.posted", day(1.1), actor=1, owner=2, target="q1"),  # first response
                fact("question.asked", day(40), actor=2, target="q2"),
                fact("answer.posted", day(40.1), actor=1, owner=2, target="q2"),  # not a newcomer
            ]
        ),
    )
    assert d.breakdown(1) == {"answer_question": [20, 2], "help_newcomer": [15, 1]}
    assert [(h.helper, h.helped, h.via) for h in d.collected.helps] == [
        (1, 2, "first_response"),
        (1, 2, "first_response"),
    ]


def _se(facts: list) -> object:
    return derive(SE, ordered(facts))


def vote(at, owner, vote_type, post_type="answer", target="a1", **props):
    return fact(
        "vote.cast",
        at,
        owner=owner,
        target=target,
        platform="stackexchange",
        vote_type=vote_type,
        post_type=post_type,
        **props,
    )


def test_reputation_starts_at_one_and_never_goes_below_it() -> None:
    d = _se(
        [
            fact("member.joined", day(0), actor=1, platform="stackexchange"),
            vote(day(1), 1, "down"),
            vote(day(1), 1, "down"),
        ]
    )
    assert d.points(1) == 1


def test_votes_are_capped_at_200_a_day_and_downvotes_make_room() -> None:
    votes = [vote(day(1), 1, "up") for _ in range(25)]  # 250 → capped to 200
    votes.append(vote(day(1.2), 1, "down"))  # -2 that day: 198
    votes.append(vote(day(1.3), 1, "up"))  # room for 2 more: 200
    votes += [vote(day(2), 1, "up") for _ in range(3)]  # a new day: +30
    votes.append(
        fact("answer.accepted", day(1.4), actor=2, owner=1, target="a1", platform="stackexchange")
    )  # +15, not capped
    d = _se(votes)
    assert d.points(1) == 1 + 200 + 30 + 15
    assert d.points(2) == 1 + 2


def test_self_accept_community_wiki_and_bounties() -> None:
    d = _se(
        [
            fact(
                "answer.accepted",
                day(1),
                actor=1,
                owner=1,
                target="a1",
                self_accept=True,
                platform="stackexchange",
            ),
            vote(day(2), 1, "up", community_wiki=True),
            fact(
                "vote.cast",
                day(3),
                actor=2,
                owner=3,
                target="q9",
                platform="stackexchange",
                vote_type="bounty_start",
                post_type="question",
                bounty_amount=50,
            ),
            vote(day(4), 1, "bounty_close", bounty_amount=50),
        ]
    )
    assert d.points(1) == 1 + 50
    assert d.points(2) == 1  # 1 - 50, held at the floor


def test_effective_dates_and_manual_grants() -> None:
    playbook = parse_playbook_text(
        """
name: dated
title: Dated
version: 1
points:
  rules:
    - key: star
      name: Star
      when: {kind: repo.starred}
      points: 3
      effective: {from: 2026-01-05, until: 2026-01-10}
"""
    )
    d = derive(
        playbook,
        ordered(
            [
                fact("repo.starred", day(1), actor=1, target="r"),  # before: nothing
                fact("repo.starred", day(5), actor=1, target="r"),  # 2026-01-06: paid
                fact("repo.starred", day(10), actor=1, target="r"),  # after: nothing
                fact("points.granted", day(11), owner=1, amount=-1, reason="typo fix"),
            ]
        ),
    )
    assert d.breakdown(1) == {"star": [3, 1], "manual": [-1, 1]}


def test_a_ban_stops_points_and_leaderboards_while_it_lasts() -> None:
    until = day(10).isoformat()
    facts = [
        fact("content.published", day(1), actor=1, content_type="tutorial"),
        fact("member.banned", day(2), owner=1, until=until, case_id="c1"),
        fact("content.published", day(3), actor=1, content_type="tutorial"),  # not paid
        fact("content.published", day(11), actor=1, content_type="tutorial"),  # ban over
        fact("member.banned", day(12), owner=2, case_id="c2"),  # permanent
        fact("content.published", day(13), actor=2, content_type="tutorial"),
    ]
    d = derive(PHOENIX, ordered(facts), as_of=day(14))
    assert d.points(1) == 200 and d.points(2) == 0
    board = d.leaderboard("best_content_creators", "all_time")
    assert [(p.member_id, p.value) for p in board] == [(1, 2)]  # member 2 banned: left out
    lifted = derive(
        PHOENIX,
        ordered([*facts, fact("member.unbanned", day(13.5), owner=2, case_id="c2")]),
        as_of=day(14),
    )
    assert lifted.points(2) == 0  # the tutorial on day 13 fell inside the ban
