"""Tickets feed the health metrics: time to first response, resolution rate, satisfaction —
and a help-forum post is counted once (as its thread), though it is a ticket too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.actions.forum_tickets import (
    ForumPost,
    do_file_forum_message,
    do_open_forum_ticket,
    do_solve_forum_ticket,
)
from hearth.actions.ingest import ingest
from hearth.actions.metrics import access_metrics
from hearth.actions.people import do_member_for
from hearth.actions.ticket_reads import access_my_tickets, access_ticket_queue
from hearth.actions.tickets import (
    check_open_ticket,
    check_rate_ticket,
    do_add_message,
    do_close_ticket,
)
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.playbooks.loader import load_playbook

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
STAFF = Caller.operator()


def test_tickets_in_the_health_metrics(engine: Engine) -> None:
    phoenix = load_playbook("phoenix")
    ids = [
        do_member_for(engine, IdentityRef("discord", str(n), handle=name))
        for n, name in ((1, "alice"), (2, "bob"), (3, "sam"))
    ]
    alice, bob = Caller("a", member_id=ids[0]), Caller("b", member_id=ids[1])
    sam = Caller("s", member_id=ids[2], is_staff=True)
    first = check_open_ticket(engine, alice, phoenix, "bug", "Crash", at=T0)
    second = check_open_ticket(engine, bob, phoenix, "question", "How?", at=T0)
    third = check_open_ticket(engine, bob, phoenix, "question", "Never answered", at=T0)
    do_add_message(engine, sam, first.id, "Try this", at=T0 + timedelta(hours=1))
    do_add_message(engine, sam, second.id, "Read that", at=T0 + timedelta(hours=3))
    do_close_ticket(engine, alice, first.id, "solved", at=T0 + timedelta(hours=4))
    do_close_ticket(engine, sam, second.id, "solved", at=T0 + timedelta(hours=5))
    check_rate_ticket(engine, alice, first.id, 5, at=T0 + timedelta(hours=6))
    check_rate_ticket(engine, bob, second.id, 2, at=T0 + timedelta(hours=6))
    assert third.id  # open, unanswered

    report = access_metrics(
        engine, STAFF, since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)
    )
    tickets = report["time_to_first_response"]["by_type"]["ticket"]
    assert (tickets["threads"], tickets["responded"], tickets["median_hours"]) == (3, 2, 2.0)
    assert tickets["resolution_rate"] == round(2 / 3, 4)
    assert report["resolution_rate"] == round(2 / 3, 4)
    assert report["satisfaction"] == {"average": 3.5, "ratings": 2}

    # the period is the close's: tickets closed before it do not count
    later = access_metrics(
        engine, STAFF, since=T0 + timedelta(hours=4, minutes=30), until=T0 + timedelta(days=1)
    )
    assert later["satisfaction"] == {"average": 2.0, "ratings": 1}
    # tickets are the workflow's own records (platform hearth)
    discord_only = access_metrics(
        engine,
        STAFF,
        since=T0 - timedelta(days=1),
        until=T0 + timedelta(days=1),
        platform="discord",
    )
    assert discord_only["satisfaction"] == {"average": None, "ratings": 0}


def test_a_help_forum_post_counts_once(engine: Engine) -> None:
    phoenix = load_playbook("phoenix")
    support = phoenix.support.model_copy(update={"help_forums": ["help"]})
    playbook = phoenix.model_copy(update={"support": support})
    alice_ref = IdentityRef("discord", "1", handle="alice")
    eve_ref = IdentityRef("discord", "5", handle="eve")
    ingest(
        engine,
        [
            ActivityIn(
                platform="discord",
                source_id="900",
                kind="thread.started",
                occurred_at=T0,
                actor=alice_ref,
                target_type="thread",
                target_id="900",
            ),
            ActivityIn(
                platform="discord",
                source_id="901",
                kind="thread.replied",
                occurred_at=T0 + timedelta(minutes=30),
                actor=eve_ref,
                target_type="thread",
                target_id="900",
            ),
        ],
    )
    alice = do_member_for(engine, alice_ref)
    eve = do_member_for(engine, eve_ref)
    post = ForumPost("900", "Slow start", T0, tags=("Bug report",))
    opened = do_open_forum_ticket(engine, playbook, alice, post)
    assert opened.new and do_open_forum_ticket(engine, playbook, alice, post).new is False
    added = do_file_forum_message(
        engine, playbook, alice, post, Caller("e", member_id=eve), "Cache it",
        message_id="901", at=T0 + timedelta(minutes=30),
    )  # fmt: skip
    assert added.first_response and added.target_met
    assert (
        do_solve_forum_ticket(
            engine, playbook, Caller("a", member_id=alice), alice, post, at=T0 + timedelta(hours=1)
        )
        == opened.id
    )
    assert (
        do_solve_forum_ticket(engine, playbook, Caller("a", member_id=alice), alice, post) is None
    )
    [mine] = access_my_tickets(engine, Caller("a", member_id=alice), playbook)
    assert (mine.category, mine.opened_on, mine.state, mine.target) == (
        "bug",  # a tag names the category
        "forum",
        "closed",
        "met",
    )
    assert access_ticket_queue(engine, STAFF, playbook, state="closed")[0].id == opened.id
    report = access_metrics(
        engine, STAFF, since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)
    )
    first = report["time_to_first_response"]
    assert first["threads"] == 1 and "ticket" not in first["by_type"]
    assert first["by_type"]["topic"]["median_hours"] == 0.5
