"""After staff merge two members of one person, what either wrote is that person's.

A merge moves identities and activities; tickets, moderation cases, appeals and web accounts
keep the member id they were written with (so an unmerge has nothing to move back), and reads
go through the merge chain (``hearth.store.merges``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from hearth.actions.accounts import access_account, do_create_account
from hearth.actions.context import Caller
from hearth.actions.ideas import (
    access_member_votes,
    access_suggestion,
    check_post_suggestion,
    check_vote,
)
from hearth.actions.members import do_merge, do_unmerge
from hearth.actions.moderation import check_appeal, check_report, check_take_action
from hearth.actions.moderation_reads import (
    access_case,
    access_cases,
    access_member_history,
    access_my_cases,
    access_proposal,
)
from hearth.actions.people import do_member_for
from hearth.actions.polls import access_poll, check_create_poll, check_poll_vote, do_close_poll
from hearth.actions.privacy import do_erase_member
from hearth.actions.sessions import access_session, do_start_session
from hearth.actions.ticket_reads import access_my_tickets, access_ticket
from hearth.actions.tickets import check_open_ticket, do_add_message
from hearth.domain.activity import IdentityRef
from hearth.domain.roles import Role
from hearth.errors import Conflict, InputError, NotFound, PermissionDenied
from hearth.playbooks.loader import load_playbook
from hearth.store import merges

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
OPERATOR = Caller.operator()


def member(engine: Engine, platform: str, external_id: str) -> int:
    return do_member_for(engine, IdentityRef(platform, external_id, handle=external_id))


def test_the_merge_chain_queries(engine: Engine) -> None:
    a, b, c, d = (member(engine, "discord", str(n)) for n in range(1, 5))
    do_merge(engine, OPERATOR, a, b)
    do_merge(engine, OPERATOR, b, c)  # a -> b -> c; d stands alone
    with engine.connect() as conn:
        for m in (a, b, c):
            assert sorted(conn.scalars(merges.person_ids(m))) == [a, b, c]
            assert merges.survivor(conn, m) == c
        assert list(conn.scalars(merges.person_ids(d))) == [d]
        assert merges.survivor(conn, d) == d
        assert merges.survivor(conn, 999) == 999
        assert merges.absorbed(conn, c) == [a, b]
        assert merges.absorbed(conn, d) == []
        assert merges.same_person(conn, a, c) and merges.same_person(conn, b, b)
        assert not merges.same_person(conn, a, d)
        assert not merges.same_person(conn, None, a) and not merges.same_person(conn, a, None)
        assert merges.survivors(conn) == {a: c, b: c}


def test_a_persons_tickets_cases_and_account_follow_a_merge_and_unmerge(engine: Engine) -> None:
    phoenix = load_playbook("phoenix")
    on_discord = member(engine, "discord", "alice")
    on_github = member(engine, "github", "alice-gh")
    moderator = Caller("account:mo", member_id=member(engine, "discord", "mo"), role="moderator")
    account_id = do_create_account(engine, OPERATOR, "alice", None, Role.member, on_discord)
    signed_in = access_account(engine, account_id)
    assert signed_in is not None
    token = do_start_session(engine, signed_in)
    account = access_session(engine, token)
    assert account is not None and account.member_id == on_discord
    ticket = check_open_ticket(
        engine, account.caller, phoenix, "question", "Stuck", "details", at=T0
    ).id
    warning = check_take_action(
        engine, moderator, phoenix, on_discord, "warning", "spam", at=T0
    ).case_id

    move = do_merge(engine, OPERATOR, on_discord, on_github)

    # the account now acts as the member the merge kept, and still sees what it wrote
    account = access_session(engine, token)
    assert account is not None and account.member_id == on_github
    alice = account.caller
    assert [t.id for t in access_my_tickets(engine, alice, phoenix)] == [ticket]
    assert access_ticket(engine, alice, phoenix, ticket).id == ticket
    # her own message is no staff response, even with staff rights
    as_staff = Caller("account:alice", member_id=on_github, is_staff=True)
    added = do_add_message(engine, as_staff, ticket, "more", at=T0 + timedelta(minutes=5))
    assert not added.first_response
    assert [c.id for c in access_my_cases(engine, alice)] == [warning]
    assert access_case(engine, alice, warning).id == warning
    assert check_appeal(engine, alice, warning, "it was not spam", at=T0 + timedelta(hours=1))
    # moderators see the strike on the member the merge kept: the ladder goes on from it
    assert access_proposal(engine, moderator, phoenix, on_github, now=T0).active_strikes == 1
    assert [c.id for c in access_cases(engine, moderator, member_id=on_github)] == [warning]
    # the merged member's history is the kept member's: the merge moved its accounts
    history = access_member_history(engine, moderator, on_discord)
    assert history["member_id"] == on_github and len(history["accounts"]) == 2
    # nobody reports or moderates themselves under their other member
    with pytest.raises(InputError):
        check_report(engine, Caller("discord:alice", member_id=on_discord), on_github, "me")
    with pytest.raises(InputError):
        check_take_action(
            engine,
            Caller("account:alice", member_id=on_discord, role="moderator"),
            phoenix,
            on_github,
            "warning",
            "me",
        )

    do_unmerge(engine, OPERATOR, move)

    account = access_session(engine, token)
    assert account is not None and account.member_id == on_discord
    github_only = Caller("github:alice-gh", member_id=on_github)
    assert access_my_tickets(engine, github_only, phoenix) == []
    assert access_my_cases(engine, github_only) == []
    for read in (
        lambda: access_ticket(engine, github_only, phoenix, ticket),
        lambda: access_case(engine, github_only, warning),
    ):
        with pytest.raises(NotFound):
            read()
    assert access_proposal(engine, moderator, phoenix, on_github, now=T0).active_strikes == 0
    assert [t.id for t in access_my_tickets(engine, account.caller, phoenix)] == [ticket]


def test_suggestions_and_votes_are_the_persons_after_a_merge(engine: Engine) -> None:
    on_discord = member(engine, "discord", "alice")
    on_github = member(engine, "github", "alice-gh")
    other = member(engine, "discord", "bob")
    mine = check_post_suggestion(engine, Caller("discord:alice", member_id=on_discord), "Dark mode")
    theirs = check_post_suggestion(engine, Caller("discord:bob", member_id=other), "Themes")
    check_vote(engine, Caller("discord:alice", member_id=on_discord), theirs.id, 1)
    do_merge(engine, OPERATOR, on_discord, on_github)
    alice = Caller("github:alice-gh", member_id=on_github)
    with pytest.raises(Conflict):
        check_vote(engine, alice, mine.id, 1)  # still her own suggestion
    votes = access_member_votes(engine, alice, on_github)
    assert [s["id"] for s in votes["suggestions"]] == [mine.id]
    assert [(v["suggestion"], v["value"]) for v in votes["suggestion_votes"]] == [(theirs.id, 1)]
    with pytest.raises(PermissionDenied):
        access_member_votes(engine, Caller("discord:bob", member_id=other), on_github)


@dataclass(frozen=True)
class Voters:
    """Alice with two members (one person once staff merge them), Bob, and Bob's suggestion
    and a poll to vote on."""

    on_discord: int
    on_github: int
    as_discord: Caller
    as_github: Caller
    bob: Caller
    idea: int
    poll: int


def voters(engine: Engine) -> Voters:
    on_discord = member(engine, "discord", "alice")
    on_github = member(engine, "github", "alice-gh")
    bob = Caller("discord:bob", member_id=member(engine, "discord", "bob"))
    return Voters(
        on_discord,
        on_github,
        Caller("discord:alice", member_id=on_discord),
        Caller("github:alice-gh", member_id=on_github),
        bob,
        check_post_suggestion(engine, bob, "Themes").id,
        check_create_poll(engine, OPERATOR, "Which day?", ["Mon", "Tue"], timedelta(days=3)).id,
    )


def test_one_person_one_vote_after_a_merge(engine: Engine) -> None:
    v = voters(engine)
    on_discord, on_github, bob, idea, poll = v.on_discord, v.on_github, v.bob, v.idea, v.poll
    as_discord, as_github = v.as_discord, v.as_github
    check_vote(engine, as_discord, idea, 1, at=T0)
    check_vote(engine, as_github, idea, -1, at=T0 + timedelta(hours=1))
    assert access_suggestion(engine, bob, idea).up == 1  # two members, two votes
    check_poll_vote(engine, as_discord, poll, 0)
    check_poll_vote(engine, as_github, poll, 1)
    assert access_poll(engine, bob, poll).voters == 2

    move = do_merge(engine, OPERATOR, on_discord, on_github)

    # one person: their latest vote counts, and is the one they see as theirs
    mine = access_suggestion(engine, as_github, idea)
    assert (mine.up, mine.down, mine.my_vote) == (0, 1, -1)
    seen = access_poll(engine, as_github, poll)
    assert (seen.voters, seen.my_vote) == (1, 1)
    # voting again replaces every vote of theirs
    check_vote(engine, as_github, idea, 1, at=T0 + timedelta(hours=2))
    mine = access_suggestion(engine, as_github, idea)
    assert (mine.up, mine.down, mine.my_vote) == (1, 0, 1)
    check_poll_vote(engine, as_github, poll, 0)
    closed = do_close_poll(engine, OPERATOR, poll)
    assert closed.voters == 1 and [r.votes for r in closed.results] == [1, 0]
    # taking the vote back leaves none of theirs
    check_vote(engine, as_github, idea, 0, at=T0 + timedelta(hours=3))
    assert access_suggestion(engine, bob, idea).up == 0
    do_unmerge(engine, OPERATOR, move)
    assert access_suggestion(engine, bob, idea).up == 0


def test_an_unmerge_gives_each_member_their_own_vote_back(engine: Engine) -> None:
    """While merged, the person's latest vote counts and their next one replaces only the
    voting member's own; the other member's earlier vote waits, and comes back with an
    unmerge. (Taking a vote back takes back all of the person's: see the test above.)"""
    v = voters(engine)
    on_discord, on_github, bob, idea, poll = v.on_discord, v.on_github, v.bob, v.idea, v.poll
    as_discord, as_github = v.as_discord, v.as_github
    check_vote(engine, as_discord, idea, -1, at=T0)
    check_poll_vote(engine, as_discord, poll, 0)

    move = do_merge(engine, OPERATOR, on_discord, on_github)
    check_vote(engine, as_github, idea, 1, at=T0 + timedelta(hours=1))
    check_poll_vote(engine, as_github, poll, 1)
    mine = access_suggestion(engine, as_github, idea)
    assert (mine.up, mine.down, mine.my_vote) == (1, 0, 1)
    seen = access_poll(engine, as_github, poll)
    assert (seen.voters, seen.my_vote) == (1, 1)

    do_unmerge(engine, OPERATOR, move)
    assert (access_suggestion(engine, bob, idea).up, access_suggestion(engine, bob, idea).down) == (
        1,
        1,
    )
    assert access_suggestion(engine, as_discord, idea).my_vote == -1
    assert access_poll(engine, as_discord, poll).my_vote == 0
    closed = do_close_poll(engine, OPERATOR, poll)
    assert closed.voters == 2 and [r.votes for r in closed.results] == [1, 1]


def test_an_erased_person_leaves_one_anonymous_vote(engine: Engine) -> None:
    v = voters(engine)
    on_discord, on_github, bob, idea, poll = v.on_discord, v.on_github, v.bob, v.idea, v.poll
    as_github = v.as_github
    check_vote(engine, v.as_discord, idea, -1, at=T0)
    check_poll_vote(engine, v.as_discord, poll, 0)
    do_merge(engine, OPERATOR, on_discord, on_github)
    check_vote(engine, as_github, idea, 1, at=T0 + timedelta(hours=1))
    check_poll_vote(engine, as_github, poll, 1)
    do_erase_member(engine, OPERATOR, on_github)
    counted = access_suggestion(engine, bob, idea)
    assert (counted.up, counted.down) == (1, 0)  # the latest, once
    assert [r.votes for r in do_close_poll(engine, OPERATOR, poll).results] == [0, 1]
