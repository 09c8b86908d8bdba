"""A member's whole record as one document (``access_member_data``, ``hearth member data``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from hearth.actions.accounts import access_account, do_create_account
from hearth.actions.context import Caller
from hearth.actions.ideas import check_post_suggestion, check_vote
from hearth.actions.ingest import ingest
from hearth.actions.member_data import FORMAT, access_member_data
from hearth.actions.members import do_merge
from hearth.actions.metrics import check_record_nps
from hearth.actions.moderation import check_report, check_take_action
from hearth.actions.people import do_member_for
from hearth.actions.tickets import check_open_ticket, do_add_message
from hearth.cli import app
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.domain.roles import Role
from hearth.errors import Conflict, PermissionDenied
from hearth.playbooks.loader import load_playbook

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
OPERATOR = Caller.operator()
PHOENIX = load_playbook("phoenix")


def person(engine: Engine) -> tuple[int, int, int, Caller]:
    """Alice on Discord and on GitHub (merged into one), Bob, and a moderator."""
    on_discord = do_member_for(engine, IdentityRef("discord", "1", handle="alice"))
    on_github = do_member_for(engine, IdentityRef("github", "2", handle="alice-gh"))
    bob = do_member_for(engine, IdentityRef("discord", "3", handle="bob"))
    moderator = Caller(
        "account:mo",
        member_id=do_member_for(engine, IdentityRef("discord", "4", handle="mo")),
        role="moderator",
    )
    ingest(
        engine,
        [
            ActivityIn(
                platform="github",
                source_id="pr-1",
                kind="pr.merged",
                occurred_at=T0,
                actor=IdentityRef("github", "2", handle="alice-gh"),
                target_type="pull_request",
                target_id="1",
            )
        ],
    )
    alice = Caller("discord:alice", member_id=on_discord)
    ticket = check_open_ticket(engine, alice, PHOENIX, "question", "Stuck", "My details", at=T0)
    do_add_message(engine, OPERATOR, ticket.id, "Try this", at=T0 + timedelta(hours=1))
    check_take_action(engine, moderator, PHOENIX, on_discord, "warning", "spam", at=T0)
    check_report(engine, Caller("discord:bob", member_id=bob), on_discord, "rude", at=T0)
    check_record_nps(engine, alice, on_discord, 9, "Nice people")
    idea = check_post_suggestion(engine, Caller("discord:bob", member_id=bob), "Themes").id
    check_vote(engine, alice, idea, 1, at=T0)
    do_create_account(engine, OPERATOR, "alice", "not-a-real-hash", Role.member, on_discord)
    do_merge(engine, OPERATOR, on_discord, on_github)
    return on_discord, on_github, bob, moderator


def test_the_whole_record_of_a_person_for_them_and_for_staff(engine: Engine) -> None:
    on_discord, on_github, bob, moderator = person(engine)
    document = access_member_data(engine, OPERATOR, on_github, PHOENIX)
    assert document["format"] == FORMAT
    assert document["member"]["member_id"] == on_github
    assert document["member"]["merged_members"] == [on_discord]
    assert {(i["platform"], i["external_id"]) for i in document["identities"]} == {
        ("discord", "1"),
        ("github", "2"),
    }
    assert document["activity_counts"]["pr.merged"] == 1
    assert document["nps_answers"][0]["score"] == 9
    assert [v["value"] for v in document["suggestion_votes"]] == [1]
    [ticket] = document["tickets"]
    assert ticket["subject"] == "Stuck"
    assert [line["body"] for line in ticket["transcript"]] == ["My details", "Try this"]
    # the warning about them; the report about them stays moderators' business
    assert [case["action"] for case in document["moderation_cases"]] == ["warning"]
    [account] = document["web_accounts"]
    assert account["username"] == "alice" and "password_hash" not in account
    assert "not-a-real-hash" not in json.dumps(document)  # JSON-ready, and no secret in it
    # the member themselves, signed in, get the same document
    signed_in = access_account(engine, 1)
    assert signed_in is not None and signed_in.member_id == on_github
    own = access_member_data(engine, signed_in.caller, on_github, PHOENIX)
    assert {k: v for k, v in own.items() if k != "generated_at"} == {
        k: v for k, v in document.items() if k != "generated_at"
    }
    # nobody else; and the merged member's id points at the one to ask for
    for caller in (Caller("discord:bob", member_id=bob), moderator):
        with pytest.raises(PermissionDenied):
            access_member_data(engine, caller, on_github, PHOENIX)
    with pytest.raises(Conflict, match=f"member {on_github}"):
        access_member_data(engine, OPERATOR, on_discord, PHOENIX)


def test_hearth_member_data_prints_or_writes_the_document(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    _on_discord, on_github, _bob, _moderator = person(engine)
    runner = CliRunner()
    printed = runner.invoke(app, ["--db", db_url, "member", "data", str(on_github)])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout)["member"]["member_id"] == on_github
    target = tmp_path / "alice.json"
    written = runner.invoke(
        app, ["--db", db_url, "member", "data", str(on_github), "--output", str(target)]
    )
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text(encoding="utf-8"))["tickets"][0]["subject"] == "Stuck"
