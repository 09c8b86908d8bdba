from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from hearth.actions.context import Caller
from hearth.actions.faq import (
    access_faq_entries,
    access_faq_entry,
    access_faq_feedback,
    access_faq_lookup,
    access_faq_stats,
    check_import_faq,
    do_add_faq,
    do_record_faq_feedback,
    do_remove_faq,
    do_update_faq,
)
from hearth.actions.ingest import ingest
from hearth.actions.privacy import do_erase_member
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import InputError, NotFound, PermissionDenied, RecordError
from hearth.store.tables import audit_log, faq_feedback

STAFF = Caller.operator("test")
MEMBER = Caller("someone", member_id=1)


def add_swap(engine: Engine) -> int:
    entry = do_add_faq(
        engine,
        STAFF,
        "My swap is stuck, what do I do?",
        "Keep the swap files and follow the guide.",
        ["stuck swap"],
        ["https://example.org/swaps"],
    )
    return entry.id


def test_add_update_remove_are_audited(engine: Engine) -> None:
    entry_id = add_swap(engine)
    assert access_faq_entry(engine, entry_id).keywords == ("stuck swap",)
    updated = do_update_faq(engine, STAFF, entry_id, answer="Wait 4 hours, then refund.")
    assert updated.answer == "Wait 4 hours, then refund."
    assert updated.question == "My swap is stuck, what do I do?"
    do_update_faq(engine, STAFF, entry_id, answer="Wait 4 hours, then refund.")  # no change
    do_remove_faq(engine, STAFF, entry_id)
    assert access_faq_entries(engine) == []
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).all()
    assert [r.action for r in rows] == ["faq.added", "faq.updated", "faq.removed"]
    assert rows[1].details["before"] == {"answer": "Keep the swap files and follow the guide."}
    assert rows[2].details["question"] == "My swap is stuck, what do I do?"
    assert {r.actor for r in rows} == {"operator:test"}


def test_only_staff_change_entries(engine: Engine) -> None:
    entry_id = add_swap(engine)
    with pytest.raises(PermissionDenied):
        do_add_faq(engine, MEMBER, "A question?", "An answer.")
    with pytest.raises(PermissionDenied):
        do_update_faq(engine, MEMBER, entry_id, answer="x")
    with pytest.raises(PermissionDenied):
        do_remove_faq(engine, MEMBER, entry_id)
    with pytest.raises(PermissionDenied):
        check_import_faq(engine, MEMBER, [])


def test_bad_input_and_missing_entries(engine: Engine) -> None:
    with pytest.raises(InputError, match="question"):
        do_add_faq(engine, STAFF, "", "An answer.")
    with pytest.raises(InputError, match="links"):
        do_add_faq(engine, STAFF, "A question?", "An answer.", links=["javascript:alert(1)"])
    with pytest.raises(NotFound):
        do_update_faq(engine, STAFF, 99, answer="x")
    with pytest.raises(NotFound):
        do_remove_faq(engine, STAFF, 99)
    with pytest.raises(NotFound):
        do_record_faq_feedback(engine, 99, helpful=True)


def test_lookup_finds_the_entry(engine: Engine) -> None:
    entry_id = add_swap(engine)
    do_add_faq(engine, STAFF, "How do I reset my password?", "Use the reset link.")
    matches = access_faq_lookup(engine, "my swap has been stuck since yesterday, help")
    assert [m.entry.id for m in matches] == [entry_id]
    assert access_faq_lookup(engine, "good morning all") == []


def test_import_adds_then_updates_and_is_idempotent(engine: Engine) -> None:
    records = [
        {"question": "How do I reset my password?", "answer": "Use the reset link."},
        {"question": "Which ports?", "answer": "7770", "keywords": ["ports", "firewall"]},
    ]
    assert check_import_faq(engine, STAFF, records).added == 2
    again = check_import_faq(engine, STAFF, records)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    changed = [{"question": "which  PORTS?", "answer": "7770 and 7771"}]
    assert check_import_faq(engine, STAFF, changed).updated == 1
    assert access_faq_entries(engine)[1].answer == "7770 and 7771"
    assert access_faq_entries(engine)[1].keywords == ()


def test_a_bad_record_names_itself_and_writes_nothing(engine: Engine) -> None:
    records = [
        {"question": "How do I reset my password?", "answer": "Use the reset link."},
        {"question": "Which ports?", "anwser": "typo"},
    ]
    with pytest.raises(RecordError) as caught:
        check_import_faq(engine, STAFF, records, source="faq.yaml")
    assert "faq.yaml, #2" in str(caught.value)
    with pytest.raises(RecordError, match="no FAQ entry 7"):
        check_import_faq(engine, STAFF, [{"id": 7, "question": "Why?", "answer": "So."}])
    assert access_faq_entries(engine) == []


def alice(engine: Engine) -> int:
    at = datetime(2024, 5, 1, tzinfo=UTC)
    ingest(engine, [ActivityIn("discord", "m1", "message.posted", at, IdentityRef("discord", "1"))])
    with engine.connect() as conn:
        from hearth.store.tables import members

        return int(conn.scalar(select(members.c.id)))


def test_feedback_counts_and_erasure_anonymises_it(engine: Engine) -> None:
    entry_id = add_swap(engine)
    member_id = alice(engine)
    do_record_faq_feedback(engine, entry_id, helpful=True, member_id=member_id)
    do_record_faq_feedback(engine, entry_id, helpful=True)
    do_record_faq_feedback(engine, entry_id, helpful=False, member_id=member_id)
    stats = access_faq_stats(engine)[entry_id]
    assert (stats.helpful, stats.dismissed) == (2, 1)
    with pytest.raises(NotFound):
        do_record_faq_feedback(engine, entry_id, helpful=True, member_id=999)
    own = access_faq_feedback(engine, Caller("alice", member_id=member_id), member_id)
    assert [r["helpful"] for r in own] == [True, False]
    with pytest.raises(PermissionDenied):
        access_faq_feedback(engine, Caller("alice", member_id=member_id))
    do_erase_member(engine, STAFF, member_id)
    with engine.connect() as conn:
        assert conn.execute(select(faq_feedback.c.member_id)).scalars().all() == [None] * 3
    assert access_faq_stats(engine)[entry_id].helpful == 2
    do_remove_faq(engine, STAFF, entry_id)
    assert access_faq_stats(engine) == {}
