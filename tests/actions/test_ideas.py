"""Suggestions, votes, status changes, merges, polls and contests through the actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from hearth.actions.contests import do_close_contest, do_start_contest
from hearth.actions.context import Caller
from hearth.actions.ideas import (
    access_member_votes,
    access_roadmap,
    access_suggestion,
    check_post_suggestion,
    check_set_status,
    check_vote,
    do_merge_suggestions,
)
from hearth.actions.polls import (
    access_poll,
    check_create_poll,
    check_poll_vote,
    do_close_due_polls,
    do_close_poll,
)
from hearth.actions.privacy import do_erase_member
from hearth.domain.activity import IdentityRef
from hearth.errors import Conflict, InputError, PermissionDenied
from hearth.playbooks.loader import load_playbook
from hearth.store.tables import activities, members, suggestion_votes

STAFF = Caller(name="account:sam", is_staff=True)
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def person(n: int) -> IdentityRef:
    return IdentityRef("discord", f"10{n}", handle=f"user{n}")


def member_caller(engine: Engine, n: int) -> Caller:
    """A member made through a chat account, as the web would see them."""
    from hearth.actions.ideas import resolve_member

    with engine.begin() as conn:
        member_id = resolve_member(conn, Caller(name="t"), person(n))
    return Caller(name=f"account:m{n}", member_id=member_id, role="member")


def kinds(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(activities.c.kind).order_by(activities.c.id)))


def test_post_vote_change_and_take_back(engine: Engine) -> None:
    alice, bob, carol = (member_caller(engine, n) for n in (1, 2, 3))
    idea = check_post_suggestion(engine, alice, "Dark mode", "Please", origin="web")
    assert idea.status == "open" and idea.community and idea.score == 0
    assert check_vote(engine, bob, idea.id, 1).score == 1
    assert check_vote(engine, carol, idea.id, 1).score == 2
    changed = check_vote(engine, bob, idea.id, -1)
    assert (changed.up, changed.down, changed.score, changed.my_vote) == (1, 1, 0, -1)
    assert check_vote(engine, bob, idea.id, -1, toggle=True).score == 1  # the same again: back
    with pytest.raises(Conflict):
        check_vote(engine, alice, idea.id, 1)  # not on one's own
    with pytest.raises(InputError):
        check_vote(engine, bob, idea.id, 2)
    # a chat account votes without a web account
    voted = check_vote(engine, Caller(name="bot"), idea.id, 1, voter=person(4))
    assert voted.score == 2
    assert kinds(engine).count("suggestion.voted") == 5
    with engine.connect() as conn:
        owners = set(
            conn.scalars(
                select(activities.c.target_owner_member_id).where(
                    activities.c.kind == "suggestion.voted"
                )
            )
        )
    assert owners == {alice.member_id}


def test_status_changes_are_staff_only_and_show_on_the_roadmap(engine: Engine) -> None:
    alice, bob = member_caller(engine, 1), member_caller(engine, 2)
    idea = check_post_suggestion(engine, alice, "Offline docs")
    check_vote(engine, bob, idea.id, 1)
    with pytest.raises(PermissionDenied):
        check_set_status(engine, bob, idea.id, "planned")
    with pytest.raises(InputError):
        check_set_status(engine, STAFF, idea.id, "declined")  # needs a reason
    check_set_status(engine, STAFF, idea.id, "in progress")
    roadmap = access_roadmap(engine, Caller(name="anonymous"))
    assert [s.title for s in roadmap["in_progress"]] == ["Offline docs"]
    assert roadmap["in_progress"][0].score == 1 and roadmap["in_progress"][0].community
    done = check_set_status(engine, STAFF, idea.id, "done")
    assert done.status == "done"
    with pytest.raises(Conflict):
        check_vote(engine, bob, idea.id, -1)  # voting closed
    declined = check_post_suggestion(engine, alice, "Blockchain")
    check_set_status(engine, STAFF, declined.id, "declined", "Out of scope")
    assert access_suggestion(engine, bob, declined.id).status_reason == "Out of scope"
    assert "Blockchain" not in [
        s.title for col in access_roadmap(engine, bob).values() for s in col
    ]
    assert kinds(engine).count("suggestion.status_changed") == 3


def test_merge_carries_votes_over_without_double_votes(engine: Engine) -> None:
    a, b, c, d = (member_caller(engine, n) for n in (1, 2, 3, 4))
    kept = check_post_suggestion(engine, a, "Dark mode")
    dup = check_post_suggestion(engine, b, "Night theme")
    check_vote(engine, c, kept.id, 1)
    check_vote(engine, c, dup.id, -1)  # voted on both: the vote on the kept one stands
    check_vote(engine, d, dup.id, 1)
    check_vote(engine, a, dup.id, 1)  # the kept one's author: dropped (no self-vote)
    with pytest.raises(PermissionDenied):
        do_merge_suggestions(engine, c, dup.id, kept.id)
    merged = do_merge_suggestions(engine, STAFF, dup.id, kept.id)
    assert (merged.up, merged.down) == (2, 0)
    assert access_suggestion(engine, c, dup.id).merged_into == kept.id
    with engine.connect() as conn:
        voters = list(
            conn.scalars(
                select(suggestion_votes.c.voter).where(suggestion_votes.c.suggestion_id == kept.id)
            )
        )
    assert sorted(voters) == sorted([f"member:{c.member_id}", f"member:{d.member_id}"])
    # a vote on the duplicate now goes to the kept suggestion
    assert check_vote(engine, b, dup.id, 1).id == kept.id
    with pytest.raises(Conflict):
        do_merge_suggestions(engine, STAFF, dup.id, kept.id)


def test_polls_close_on_time_with_results(engine: Engine) -> None:
    alice, bob, carol = (member_caller(engine, n) for n in (1, 2, 3))
    with pytest.raises(PermissionDenied):
        check_create_poll(engine, alice, "Which?", "a;b", timedelta(hours=1))
    poll = check_create_poll(
        engine, STAFF, "Next feature?", "Plugins; Themes; API", timedelta(hours=1), at=T0
    )
    assert poll.options == ["Plugins", "Themes", "API"]
    check_poll_vote(engine, alice, poll.id, 0, at=T0)
    check_poll_vote(engine, bob, poll.id, 1, at=T0)
    check_poll_vote(engine, bob, poll.id, 0, at=T0)  # changed
    check_poll_vote(engine, carol, poll.id, 2, at=T0)
    assert access_poll(engine, alice, poll.id).results == []  # shown on close
    assert do_close_due_polls(engine, now=T0 + timedelta(minutes=59)) == []
    assert do_close_due_polls(engine, now=T0 + timedelta(hours=1)) == [poll.id]
    assert do_close_due_polls(engine, now=T0 + timedelta(hours=2)) == []  # once
    closed = access_poll(engine, alice, poll.id)
    assert [(r.label, r.votes, r.winner) for r in closed.results] == [
        ("Plugins", 2, True),
        ("Themes", 0, False),
        ("API", 1, False),
    ]
    with pytest.raises(Conflict):
        check_poll_vote(engine, carol, poll.id, 0)
    anonymous = check_create_poll(
        engine, STAFF, "Q?", ["x", "y"], timedelta(days=1), anonymous=True
    )
    check_poll_vote(engine, alice, anonymous.id, 1)
    with engine.connect() as conn:
        props = conn.scalar(
            select(activities.c.properties)
            .where(activities.c.kind == "poll.voted")
            .order_by(activities.c.id.desc())
        )
    assert props == {}  # the anonymous choice is not in the ledger
    with pytest.raises(PermissionDenied):
        do_close_poll(engine, alice, anonymous.id)
    assert [r.votes for r in do_close_poll(engine, STAFF, anonymous.id).results] == [0, 1]


def test_contest_rewards_the_top_voted(engine: Engine) -> None:
    playbook = load_playbook("phoenix")
    people = [member_caller(engine, n) for n in range(1, 6)]
    contest = do_start_contest(engine, STAFF, playbook, "March ideas", starts_at=T0)
    ideas = [
        check_post_suggestion(engine, people[i], f"Idea {i}", at=T0 + timedelta(hours=i))
        for i in range(3)
    ]
    late = check_post_suggestion(engine, people[3], "Late", at=T0 + timedelta(days=40))
    for voter in people[3:]:
        check_vote(engine, voter, ideas[1].id, 1)
    check_vote(engine, people[4], ideas[0].id, 1)
    for voter in people[:3]:
        check_vote(engine, voter, late.id, 1)
    with pytest.raises(Conflict):
        do_close_contest(engine, STAFF, playbook, contest.id, at=T0 + timedelta(days=1))
    closed = do_close_contest(engine, STAFF, playbook, contest.id, at=T0 + timedelta(days=31))
    assert [(w["place"], w["suggestion"], w["points"]) for w in closed.winners] == [
        (1, ideas[1].id, 50),
        (2, ideas[0].id, 30),
    ]  # idea 2 has no votes: below min_score
    with engine.connect() as conn:
        grants = conn.execute(
            select(activities.c.target_owner_member_id, activities.c.properties).where(
                activities.c.kind == "points.granted"
            )
        ).all()
    assert sorted((g[0], g[1]["amount"]) for g in grants) == sorted(
        [(people[1].member_id, 50), (people[0].member_id, 30)]
    )
    assert kinds(engine).count("contest.won") == 2
    with pytest.raises(Conflict):
        do_close_contest(engine, STAFF, playbook, contest.id, at=T0 + timedelta(days=32))


def test_contest_badge_prize(engine: Engine) -> None:
    playbook = load_playbook("atlas")
    a, b = member_caller(engine, 1), member_caller(engine, 2)
    contest = do_start_contest(engine, STAFF, playbook, "Ideas", starts_at=T0)
    idea = check_post_suggestion(engine, a, "Idea", at=T0 + timedelta(hours=1))
    check_vote(engine, b, idea.id, 1)
    do_close_contest(engine, STAFF, playbook, contest.id, early=True, at=T0 + timedelta(days=2))
    with engine.connect() as conn:
        awarded = conn.execute(
            select(activities.c.target_owner_member_id, activities.c.properties).where(
                activities.c.kind == "achievement.awarded"
            )
        ).one()
    assert awarded[0] == a.member_id and awarded[1]["achievement"] == "top_idea"


def test_votes_are_exported_and_erased(engine: Engine) -> None:
    alice, bob = member_caller(engine, 1), member_caller(engine, 2)
    idea = check_post_suggestion(engine, alice, "Idea")
    check_vote(engine, bob, idea.id, 1)
    poll = check_create_poll(engine, STAFF, "Q?", "x;y", timedelta(days=1))
    check_poll_vote(engine, bob, poll.id, 0)
    exported = access_member_votes(engine, bob, bob.member_id)
    assert len(exported["suggestion_votes"]) == 1 and len(exported["poll_votes"]) == 1
    with pytest.raises(PermissionDenied):
        access_member_votes(engine, alice, bob.member_id)
    assert bob.member_id is not None and alice.member_id is not None
    do_erase_member(engine, Caller.operator(), bob.member_id)
    do_erase_member(engine, Caller.operator(), alice.member_id)
    after = access_suggestion(engine, Caller(name="anonymous"), idea.id)
    assert after.score == 1 and after.author_member_id is None  # still counted, nobody named
    assert access_member_votes(engine, STAFF, bob.member_id)["suggestion_votes"] == []
    with engine.connect() as conn:
        named = conn.scalar(
            select(activities.c.id).where(
                activities.c.actor_member_id.in_([bob.member_id, alice.member_id])
            )
        )
        assert named is None
        assert conn.scalar(select(members.c.erased_at).where(members.c.id == bob.member_id))
