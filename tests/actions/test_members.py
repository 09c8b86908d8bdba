from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from hearth.actions.context import Caller
from hearth.actions.derive import do_rebuild
from hearth.actions.export import access_member_export
from hearth.actions.ingest import ingest
from hearth.actions.members import do_flag, do_link_identity, do_merge, do_unmerge
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import Conflict, NotFound, PermissionDenied
from hearth.playbooks import load_playbook
from hearth.store.tables import audit_log, derivation_state, identities

T0 = datetime(2024, 3, 1, tzinfo=UTC)
STAFF = Caller.operator("test")


def seed(engine: Engine) -> None:
    alice_discord = IdentityRef("discord", "100", handle="alice")
    alice_github = IdentityRef("github", "alice-dev", handle="alice-dev")
    bob = IdentityRef("github", "bob", handle="bob")
    ingest(
        engine,
        [
            ActivityIn("discord", "m1", "message.posted", T0, alice_discord),
            ActivityIn("discord", "m2", "message.posted", T0, alice_discord),
            ActivityIn("github", "pr1", "pr.merged", T0, alice_github),
            ActivityIn("github", "c1", "issue.commented", T0, bob, "issue", "1", alice_github),
        ],
    )


def exported(engine: Engine) -> dict[str, dict]:
    return {row["display_name"]: row for row in access_member_export(engine, STAFF)}


def test_merge_combines_identities_and_counts_then_unmerge_restores(engine: Engine) -> None:
    seed(engine)
    before = exported(engine)
    alice, alice_dev = before["alice"]["member_id"], before["alice-dev"]["member_id"]
    move = do_merge(engine, STAFF, alice_dev, alice, reason="same person")
    after = exported(engine)
    assert "alice-dev" not in after
    merged = after["alice"]
    assert {i["platform"] for i in merged["identities"]} == {"discord", "github"}
    assert merged["activity_counts"] == {"message.posted": 2, "pr.merged": 1}
    assert merged["received_counts"] == {"issue.commented": 1}

    do_unmerge(engine, STAFF, move)
    assert exported(engine) == before
    with engine.connect() as conn:
        actions = [row.action for row in conn.execute(select(audit_log).order_by(audit_log.c.id))]
    assert actions == ["member.merged", "member.unmerged"]


def test_merge_rules(engine: Engine) -> None:
    seed(engine)
    ids = {name: row["member_id"] for name, row in exported(engine).items()}
    with pytest.raises(Conflict):
        do_merge(engine, STAFF, ids["alice"], ids["alice"])
    with pytest.raises(NotFound):
        do_merge(engine, STAFF, 9999, ids["alice"])
    with pytest.raises(PermissionDenied):
        do_merge(engine, Caller("someone"), ids["bob"], ids["alice"])
    move = do_merge(engine, STAFF, ids["bob"], ids["alice"])
    with pytest.raises(Conflict):
        do_merge(engine, STAFF, ids["bob"], ids["alice-dev"])
    do_unmerge(engine, STAFF, move)
    with pytest.raises(Conflict):
        do_unmerge(engine, STAFF, move)


def test_link_moves_one_identity_and_can_be_undone(engine: Engine) -> None:
    seed(engine)
    ids = {name: row["member_id"] for name, row in exported(engine).items()}
    with engine.connect() as conn:
        github_identity = conn.scalar(
            select(identities.c.id).where(identities.c.external_id == "alice-dev")
        )
    link = do_link_identity(engine, STAFF, github_identity, ids["alice"], reason="OAuth login")
    rows = exported(engine)
    assert rows["alice"]["activity_counts"]["pr.merged"] == 1
    assert rows["alice-dev"]["identities"] == []
    with pytest.raises(Conflict):
        do_link_identity(engine, STAFF, github_identity, ids["alice"])
    do_unmerge(engine, STAFF, link)
    assert exported(engine)["alice-dev"]["activity_counts"] == {"pr.merged": 1}


def test_new_activity_after_merge_goes_to_the_surviving_member(engine: Engine) -> None:
    seed(engine)
    ids = {name: row["member_id"] for name, row in exported(engine).items()}
    do_merge(engine, STAFF, ids["alice-dev"], ids["alice"])
    ingest(
        engine, [ActivityIn("github", "pr2", "pr.merged", T0, IdentityRef("github", "alice-dev"))]
    )
    assert exported(engine)["alice"]["activity_counts"]["pr.merged"] == 2


def test_flags_are_audited(engine: Engine) -> None:
    seed(engine)
    bob = exported(engine)["bob"]["member_id"]
    do_flag(engine, STAFF, bob, is_bot=True)
    assert exported(engine)["bob"]["is_bot"] is True
    with engine.connect() as conn:
        row = conn.execute(select(audit_log)).one()
    assert row.action == "member.flagged"
    assert row.details == {"before": {"is_bot": False}, "after": {"is_bot": True}}


def test_bot_identities_create_bot_members(engine: Engine) -> None:
    ingest(
        engine,
        [
            ActivityIn(
                "github",
                "x",
                "pr.opened",
                T0,
                IdentityRef("github", "49699333", "dependabot[bot]", is_bot=True),
            )
        ],
    )
    assert exported(engine)["dependabot[bot]"]["is_bot"] is True


def test_unmerge_after_a_chain_of_merges(engine: Engine) -> None:
    seed(engine)
    ids = {name: row["member_id"] for name, row in exported(engine).items()}
    first = do_merge(engine, STAFF, ids["alice-dev"], ids["alice"])
    do_merge(engine, STAFF, ids["alice"], ids["bob"])
    do_unmerge(engine, STAFF, first)
    rows = exported(engine)
    assert rows["alice-dev"]["activity_counts"] == {"pr.merged": 1}
    assert rows["bob"]["activity_counts"] == {"issue.commented": 1, "message.posted": 2}


def bot_flag(engine: Engine, name: str) -> bool:
    return exported(engine)[name]["is_bot"]


def derivation_stale(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(select(derivation_state.c.stale)))


def test_an_account_later_seen_as_a_bot_is_flagged_and_audited(engine: Engine) -> None:
    """Seen first without a word on it (a reaction names only its user), then posting as a
    bot: the member is flagged, by the import, in the audit log, and derived again."""
    reactor = IdentityRef("discord", "900", handle="helper")
    ingest(engine, [ActivityIn("discord", "r1", "reaction.added", T0, reactor)])
    do_rebuild(engine, load_playbook("phoenix"))
    assert bot_flag(engine, "helper") is False and not derivation_stale(engine)
    as_bot = IdentityRef("discord", "900", handle="helper", is_bot=True)
    ingest(engine, [ActivityIn("discord", "m9", "message.posted", T0, as_bot)])
    assert bot_flag(engine, "helper") is True
    with engine.connect() as conn:
        row = conn.execute(select(audit_log)).one()
    assert (row.actor, row.action) == ("ingest:discord", "member.flagged")
    assert row.details["after"] == {"is_bot": True}
    assert derivation_stale(engine)


def test_staff_who_cleared_the_bot_flag_are_not_overruled(engine: Engine) -> None:
    as_bot = IdentityRef("discord", "900", handle="helper", is_bot=True)
    ingest(engine, [ActivityIn("discord", "m1", "message.posted", T0, as_bot)])
    helper = exported(engine)["helper"]["member_id"]
    do_flag(engine, STAFF, helper, is_bot=False)  # a person, whatever the platform says
    ingest(engine, [ActivityIn("discord", "m2", "message.posted", T0, as_bot)])
    ingest(  # the same, with a new name: the account is looked at again
        engine,
        [ActivityIn("discord", "m3", "message.posted", T0, replace(as_bot, display_name="H"))],
    )
    assert bot_flag(engine, "helper") is False


def test_a_bot_named_in_its_first_batch_both_ways_is_created_a_bot(engine: Engine) -> None:
    plain = IdentityRef("discord", "900", handle="helper", display_name="Helper Bot")
    as_bot = IdentityRef("discord", "900", is_bot=True)
    ingest(
        engine,
        [
            ActivityIn("discord", "r1", "reaction.added", T0, plain),
            ActivityIn("discord", "m1", "message.posted", T0, as_bot),
        ],
    )
    assert bot_flag(engine, "Helper Bot") is True
    with engine.connect() as conn:
        assert conn.execute(select(audit_log)).all() == []  # created so: nothing to audit
