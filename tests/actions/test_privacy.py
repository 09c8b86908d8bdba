from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from hearth.actions.context import Caller
from hearth.actions.export import access_member_export
from hearth.actions.ingest import ingest
from hearth.actions.privacy import do_erase_member
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import Conflict, PermissionDenied
from hearth.store.tables import activities, audit_log, identities

T0 = datetime(2024, 5, 1, tzinfo=UTC)
STAFF = Caller.operator("test")
ALICE = IdentityRef("discord", "1", handle="alice", email="alice@example.org")
BOB = IdentityRef("discord", "2", handle="bob")


def history() -> list[ActivityIn]:
    return [
        ActivityIn("discord", "a1", "message.posted", T0, ALICE),
        ActivityIn("discord", "a2", "thread.started", T0, ALICE, "thread", "t1"),
        ActivityIn("discord", "b1", "thread.replied", T0, BOB, "thread", "t1", ALICE),
    ]


def test_erase_removes_personal_data_and_reimport_does_not_bring_it_back(
    engine: Engine,
) -> None:
    ingest(engine, history())
    alice = next(r for r in access_member_export(engine, STAFF) if r["display_name"] == "alice")
    done = do_erase_member(engine, STAFF, alice["member_id"])
    assert done == {"identities": 1, "activities": 2, "detached": 1}
    names = [r["display_name"] for r in access_member_export(engine, STAFF)]
    assert names == ["bob"]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(identities)) == 1
        reply = conn.execute(select(activities)).one()
        assert reply.target_owner_member_id is None
        audit = conn.execute(select(audit_log)).one()
        assert audit.action == "member.erased"
        assert "alice" not in str(audit.details)
    again = ingest(engine, history())
    assert (again.imported, again.erased, again.duplicates) == (0, 2, 1)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(identities)) == 1


def test_erase_permissions(engine: Engine) -> None:
    ingest(engine, history())
    rows = {r["display_name"]: r["member_id"] for r in access_member_export(engine, STAFF)}
    with pytest.raises(PermissionDenied):
        do_erase_member(engine, Caller("bob", member_id=rows["bob"]), rows["alice"])
    do_erase_member(engine, Caller("alice", member_id=rows["alice"]), rows["alice"])
    with pytest.raises(Conflict):
        do_erase_member(engine, STAFF, rows["alice"])


def test_nps_answers_are_exported_and_erasure_keeps_only_the_anonymous_score(
    engine: Engine,
) -> None:
    from hearth.actions.metrics import do_record_nps
    from hearth.store.tables import nps_responses

    ingest(engine, history())
    alice = next(r for r in access_member_export(engine, STAFF) if r["display_name"] == "alice")
    comment = "Love it, alice@example.org"
    do_record_nps(engine, STAFF, alice["member_id"], 9, comment, answered_at=T0)
    do_record_nps(engine, STAFF, None, 4, "anonymous")
    exported = next(r for r in access_member_export(engine, STAFF) if r["display_name"] == "alice")
    assert exported["nps_answers"] == [
        {"score": 9, "comment": comment, "answered_at": T0.isoformat()}
    ]
    do_erase_member(engine, STAFF, alice["member_id"])
    with engine.connect() as conn:
        rows = conn.execute(
            select(nps_responses.c.member_id, nps_responses.c.score, nps_responses.c.comment)
            .order_by(nps_responses.c.id)
        ).all()  # fmt: skip
        erased = conn.execute(
            select(audit_log.c.details).where(audit_log.c.action == "member.erased")
        ).scalar_one()
    assert [tuple(r) for r in rows] == [(None, 9, None), (None, 4, "anonymous")]
    assert erased["nps_answers"] == 1


def test_erasure_covers_the_members_merged_into_the_erased_one(engine: Engine) -> None:
    from hearth.actions.members import do_merge
    from hearth.actions.metrics import do_record_nps
    from hearth.store.tables import members, nps_responses

    ingest(engine, history())
    by_name = {r["display_name"]: r["member_id"] for r in access_member_export(engine, STAFF)}
    alice, bob = by_name["alice"], by_name["bob"]
    do_record_nps(engine, STAFF, alice, 3, "alice@example.org says: slow answers", answered_at=T0)
    do_merge(engine, STAFF, alice, bob, "same person")
    # the answer alice gave is now bob's: exported with him
    exported = next(r for r in access_member_export(engine, STAFF) if r["member_id"] == bob)
    assert [a["score"] for a in exported["nps_answers"]] == [3]
    with pytest.raises(Conflict):
        do_erase_member(engine, STAFF, alice)  # erase the member she was merged into
    do_erase_member(engine, STAFF, bob)
    with engine.connect() as conn:
        answers = conn.execute(select(nps_responses.c.member_id, nps_responses.c.comment)).all()
        erased = dict(conn.execute(select(members.c.id, members.c.erased_at)).all())
        details = conn.execute(
            select(audit_log.c.details).where(audit_log.c.action == "member.erased")
        ).scalar_one()
    assert [tuple(a) for a in answers] == [(None, None)]
    assert erased[alice] is not None and erased[bob] is not None
    assert details["merged_members"] == [alice] and details["nps_answers"] == 1
