"""Support tickets through the actions: transitions in the ledger, permissions, the sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from hearth.actions.context import Caller
from hearth.actions.metrics import access_metrics
from hearth.actions.people import do_member_for
from hearth.actions.ticket_reads import (
    access_my_tickets,
    access_ticket,
    access_ticket_figures,
    access_ticket_queue,
    access_transcript,
)
from hearth.actions.tickets import (
    check_open_ticket,
    check_rate_ticket,
    do_add_message,
    do_claim_ticket,
    do_close_ticket,
    do_reopen_ticket,
    do_sweep_tickets,
)
from hearth.domain.activity import IdentityRef
from hearth.errors import Conflict, InputError, NotFound, PermissionDenied
from hearth.playbooks.loader import load_playbook
from hearth.store.tables import activities

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday


def people(engine: Engine) -> tuple[Caller, Caller, Caller]:
    ids = [
        do_member_for(engine, IdentityRef("discord", str(n), handle=name))
        for n, name in ((1, "alice"), (2, "bob"), (3, "sam"))
    ]
    alice = Caller("discord:1", member_id=ids[0])
    bob = Caller("discord:2", member_id=ids[1])
    sam = Caller("discord:3", member_id=ids[2], is_staff=True)
    return alice, bob, sam


def kinds(engine: Engine) -> list[tuple[str, int | None, int | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                activities.c.kind, activities.c.actor_member_id, activities.c.target_owner_member_id
            )
            .where(activities.c.target_type == "ticket")
            .order_by(activities.c.occurred_at, activities.c.id)
        ).all()
    return [tuple(r) for r in rows]


def test_a_ticket_from_opening_to_rating(engine: Engine) -> None:
    phoenix = load_playbook("phoenix")
    alice, bob, sam = people(engine)
    opened = check_open_ticket(
        engine, alice, phoenix, "question", "Build fails", "It breaks", at=T0
    )
    assert opened.due_at == T0 + timedelta(hours=2)
    # alice's own message is not a response; sam's is the first, 90 minutes in
    assert not do_add_message(
        engine, alice, opened.id, "more", at=T0 + timedelta(minutes=5)
    ).first_response
    added = do_add_message(engine, sam, opened.id, "Try this", at=T0 + timedelta(minutes=90))
    assert (added.first_response, added.response_seconds, added.target_met) == (True, 5400, True)
    assert do_claim_ticket(engine, sam, opened.id, at=T0 + timedelta(minutes=91)) == sam.member_id
    assert (
        do_claim_ticket(engine, sam, opened.id, bob.member_id, at=T0 + timedelta(minutes=92))
        == bob.member_id
    )
    with pytest.raises(PermissionDenied):
        do_claim_ticket(engine, alice, opened.id)
    with pytest.raises(Conflict):
        check_rate_ticket(engine, alice, opened.id, 5)  # still open
    do_close_ticket(engine, alice, opened.id, "solved", at=T0 + timedelta(hours=3))
    with pytest.raises(InputError):
        check_rate_ticket(engine, alice, opened.id, 6)
    with pytest.raises(PermissionDenied):
        check_rate_ticket(engine, sam, opened.id, 5)
    assert check_rate_ticket(engine, alice, opened.id, "4", at=T0 + timedelta(hours=4)) == 4
    with pytest.raises(Conflict):
        check_rate_ticket(engine, alice, opened.id, 5)
    do_reopen_ticket(engine, alice, opened.id, at=T0 + timedelta(hours=5))
    a, s = alice.member_id, sam.member_id
    assert kinds(engine) == [
        ("ticket.opened", a, a),
        ("ticket.replied", a, a),
        ("ticket.replied", a, a),
        ("ticket.replied", s, a),
        ("ticket.claimed", s, a),
        ("ticket.claimed", s, a),
        ("ticket.closed", a, a),
        ("ticket.rated", a, a),
        ("ticket.reopened", a, a),
    ]
    view = access_ticket(engine, sam, phoenix, opened.id)
    assert (view.state, view.target, view.rating, view.assignee_id) == (
        "open",
        "met",
        4,
        bob.member_id,
    )
    lines = access_transcript(engine, alice, opened.id)
    assert [line.body for line in lines] == ["It breaks", "more", "Try this"]
    assert [line.staff for line in lines] == [False, False, True]
    figures = access_ticket_figures(engine, sam, phoenix)
    assert (figures.tickets, figures.responded, figures.met, figures.average_rating) == (
        1,
        1,
        1,
        4.0,
    )
    # the health metrics see the ticket as a thread: 1.5 hours to the first response
    report = access_metrics(
        engine, Caller.operator(), since=T0 - timedelta(days=1), until=T0 + timedelta(days=1)
    )
    assert report["time_to_first_response"]["by_type"]["ticket"]["median_hours"] == 1.5


def test_another_member_never_sees_a_ticket(engine: Engine) -> None:
    atlas = load_playbook("atlas")
    alice, bob, sam = people(engine)
    opened = check_open_ticket(engine, alice, atlas, "issue", "My invoice", "private details")
    for read in (
        lambda: access_ticket(engine, bob, atlas, opened.id),
        lambda: access_transcript(engine, bob, opened.id),
        lambda: do_add_message(engine, bob, opened.id, "hi"),
        lambda: do_close_ticket(engine, bob, opened.id),
        lambda: check_rate_ticket(engine, bob, opened.id, 1),
    ):
        with pytest.raises(NotFound):
            read()
    with pytest.raises(PermissionDenied):
        access_ticket_queue(engine, bob, atlas)
    assert access_my_tickets(engine, bob, atlas) == []
    assert [t.id for t in access_my_tickets(engine, alice, atlas)] == [opened.id]
    assert [t.id for t in access_ticket_queue(engine, sam, atlas)] == [opened.id]


def test_unknown_category_and_empty_subject(engine: Engine) -> None:
    alice, _bob, _sam = people(engine)
    phoenix = load_playbook("phoenix")
    with pytest.raises(InputError, match="question, bug, conduct"):
        check_open_ticket(engine, alice, phoenix, "nope", "x")
    with pytest.raises(InputError):
        check_open_ticket(engine, alice, phoenix, "bug", "   ")


def test_the_sweep_reminds_alerts_warns_and_closes_once(engine: Engine) -> None:
    phoenix = load_playbook("phoenix")  # 2h target, remind 30m before, warn after 3d, close 1d
    alice, _bob, sam = people(engine)
    opened = check_open_ticket(engine, alice, phoenix, "bug", "Crash", at=T0)

    def steps(at: datetime) -> list[str]:
        return [n.step for n in do_sweep_tickets(engine, phoenix, at)]

    assert steps(T0 + timedelta(minutes=80)) == []
    assert steps(T0 + timedelta(minutes=95)) == ["remind"]
    assert steps(T0 + timedelta(minutes=100)) == []
    assert steps(T0 + timedelta(hours=2, minutes=1)) == ["alert"]
    assert steps(T0 + timedelta(hours=3)) == []
    assert (
        access_ticket(engine, sam, phoenix, opened.id, now=T0 + timedelta(hours=3)).target
        == "overdue"
    )
    assert steps(T0 + timedelta(days=3, minutes=1)) == ["warn"]
    assert steps(T0 + timedelta(days=3, hours=2)) == []
    assert steps(T0 + timedelta(days=4, minutes=2)) == ["close"]
    assert steps(T0 + timedelta(days=5)) == []
    view = access_ticket(engine, sam, phoenix, opened.id)
    assert (view.state, view.close_reason, view.target) == ("closed", "inactive", "missed")
    assert [k for k, *_ in kinds(engine)] == [
        "ticket.opened",
        "ticket.target_missed",
        "ticket.closed",
    ]


def test_a_message_after_the_warning_keeps_the_ticket_open(engine: Engine) -> None:
    phoenix = load_playbook("phoenix")
    alice, _bob, sam = people(engine)
    opened = check_open_ticket(engine, alice, phoenix, "bug", "Crash", at=T0)
    do_add_message(engine, sam, opened.id, "looking", at=T0 + timedelta(minutes=10))
    assert [n.step for n in do_sweep_tickets(engine, phoenix, T0 + timedelta(days=3, hours=1))] == [
        "warn"
    ]
    do_add_message(engine, alice, opened.id, "still there", at=T0 + timedelta(days=3, hours=2))
    assert do_sweep_tickets(engine, phoenix, T0 + timedelta(days=4, hours=3)) == []


def test_erasure_takes_the_members_tickets_and_cases(engine: Engine) -> None:
    from hearth.actions.moderation import check_take_action
    from hearth.actions.privacy import do_erase_member
    from hearth.store.tables import mod_cases, ticket_messages, tickets

    phoenix = load_playbook("phoenix")
    alice, bob, sam = people(engine)
    own = check_open_ticket(engine, alice, phoenix, "bug", "Mine", "alice text")
    other = check_open_ticket(engine, bob, phoenix, "bug", "Bob's", "bob text")
    do_add_message(engine, alice, own.id, "more")
    mod = Caller("m", member_id=sam.member_id, role="moderator")
    check_take_action(engine, mod, phoenix, alice.member_id, "warning", "Rude")
    # alice is staff elsewhere too: her answer on bob's ticket stays for bob, unnamed
    do_add_message(engine, Caller("a", member_id=alice.member_id, is_staff=True), other.id, "hi")
    do_erase_member(engine, Caller.operator(), alice.member_id)
    with engine.connect() as conn:
        assert conn.scalars(select(tickets.c.id)).all() == [other.id]
        assert conn.scalars(select(mod_cases.c.id)).all() == []
        rows = conn.execute(
            select(
                ticket_messages.c.author_id, ticket_messages.c.author_name, ticket_messages.c.body
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            (bob.member_id, "bob", "bob text"),
            (None, "Erased member", "hi"),
        ]
        left = conn.execute(
            select(activities.c.kind).where(
                (activities.c.actor_member_id == alice.member_id)
                | (activities.c.target_owner_member_id == alice.member_id)
            )
        ).all()
        assert left == []
