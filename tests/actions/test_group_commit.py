"""Group commit: webhook deliveries committed together, each answered after its commit."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, insert, select

from hearth.actions.group_commit import GroupCommitter
from hearth.actions.webhooks import (
    DeliveryOutcome,
    DeliveryWriter,
    PreparedDelivery,
    prepare_delivery,
    store_deliveries,
)
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.store.db import begin_write
from hearth.store.tables import (
    activities,
    dead_letters,
    identities,
    sync_cursors,
    webhook_deliveries,
)


def map_event(event: str, payload: dict[str, Any]) -> list[ActivityIn]:
    return [
        ActivityIn(
            "test",
            f"note:{payload['id']}",
            payload.get("kind", "message.posted"),
            datetime(2024, 1, 1, tzinfo=UTC),
            IdentityRef("test", str(payload["user"])),
        )
    ]


def prepared(delivery: str, note: int, user: int = 1, **extra: Any) -> PreparedDelivery:
    body = json.dumps({"id": note, "user": user, **extra}).encode()
    return prepare_delivery(
        platform="test",
        delivery_id=delivery,
        event="note",
        body=body,
        map_event=map_event,
        ignored={"ping"},
    )


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_one_batch_with_duplicates_and_a_bad_body(engine: Engine) -> None:
    batch = [
        prepared("d1", 1, user=1),
        prepared("d1", 2, user=1),  # the same delivery id again: a duplicate
        prepared("d2", 1, user=2),  # a new delivery carrying an activity already in the batch
        prepared("d3", 3, user=1),
        prepare_delivery(
            platform="test",
            delivery_id="d4",
            event="note",
            body=b"{not json",
            map_event=map_event,
            ignored=(),
        ),
        prepared("d5", 5, user=3, kind="no.such.kind"),  # mapped, but the ledger refuses it
    ]
    with begin_write(engine) as conn:
        outcomes = store_deliveries(conn, batch)
    assert [(o.outcome, o.activities) for o in outcomes] == [
        ("accepted", 1),
        ("duplicate", 0),
        ("accepted", 0),
        ("accepted", 1),
        ("rejected", 0),
        ("accepted", 0),
    ]
    assert count(engine, activities) == 2
    assert count(engine, webhook_deliveries) == 4
    assert count(engine, identities) == 1
    with engine.connect() as conn:
        letters = conn.execute(select(dead_letters).order_by(dead_letters.c.id)).all()
        received = conn.scalars(select(webhook_deliveries.c.received_at)).all()
    assert [letter.source for letter in letters] == ["d4", "d5"]
    assert "not JSON" in letters[0].error and "no.such.kind" in letters[1].error
    assert all(
        r.tzinfo is not None and abs(r - datetime.now(UTC)).total_seconds() < 60 for r in received
    )
    # a later batch sees every delivery id stored before
    with begin_write(engine) as conn:
        again = store_deliveries(conn, [prepared("d3", 3), prepared("d6", 6)])
    assert [o.outcome for o in again] == ["duplicate", "accepted"]


def test_concurrent_deliveries_are_committed_in_shared_batches(engine: Engine) -> None:
    committed: list[int] = []

    def after_commit(eng: Engine, items: Sequence[PreparedDelivery], results: Any) -> None:
        # runs after the commit, before anyone is answered: the rows are visible already
        committed.append(len(items))
        assert count(eng, webhook_deliveries) >= sum(committed)

    writer = DeliveryWriter(engine, after_commit=after_commit)
    outcomes: list[DeliveryOutcome] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        outcome = writer.submit(prepared(f"c{n}", n, user=n % 5)).result(timeout=60)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    writer.close()
    assert len(outcomes) == 40 and {o.outcome for o in outcomes} == {"accepted"}
    assert {key for o in outcomes for key in o.stored} == {("test", f"note:{n}") for n in range(40)}
    assert sum(o.activities for o in outcomes) == 40
    assert count(engine, activities) == 40
    assert count(engine, identities) == 5
    assert sum(committed) == 40 and writer.batches == len(committed)


def test_deliveries_waiting_during_a_commit_share_the_next_batch(engine: Engine) -> None:
    release = threading.Event()
    sizes: list[int] = []

    def write_batch(conn: Connection, items: Sequence[int]) -> list[int]:
        sizes.append(len(items))
        if len(sizes) == 1:
            release.wait(timeout=30)
        return [item * 2 for item in items]

    committer: GroupCommitter[int, int] = GroupCommitter(engine, write_batch)
    first = committer.submit(0)
    while not sizes:
        threading.Event().wait(0.01)
    rest = [committer.submit(n) for n in range(1, 11)]
    assert not first.done()  # not answered before its commit
    release.set()
    assert [f.result(timeout=30) for f in [first, *rest]] == [n * 2 for n in range(11)]
    committer.close()
    assert sizes == [1, 10]


def test_a_failing_batch_acknowledges_nothing_it_did_not_commit(engine: Engine) -> None:
    """The batch fails: none of it is committed; each item is tried alone, and only the one
    that fails alone gets an error (its caller answers 5xx, the platform redelivers)."""
    release = threading.Event()
    seen: list[list[str]] = []

    def write_batch(conn: Connection, items: Sequence[str]) -> list[str]:
        seen.append(list(items))
        if len(seen) == 1:
            release.wait(timeout=30)
        conn.execute(
            insert(sync_cursors),
            [
                {"source": "t", "key": item, "cursor": {}, "updated_at": datetime.now(UTC)}
                for item in items
            ],
        )
        if "poison" in items:
            raise RuntimeError("cannot store poison")
        return ["stored"] * len(items)

    committer: GroupCommitter[str, str] = GroupCommitter(engine, write_batch)
    first = committer.submit("first")
    while not seen:
        threading.Event().wait(0.01)
    futures = {item: committer.submit(item) for item in ("a", "poison", "b")}
    release.set()
    assert first.result(timeout=30) == "stored"
    assert futures["a"].result(timeout=30) == "stored"
    assert futures["b"].result(timeout=30) == "stored"
    with pytest.raises(RuntimeError, match="poison"):
        futures["poison"].result(timeout=30)
    committer.close()
    assert seen == [["first"], ["a", "poison", "b"], ["a"], ["poison"], ["b"]]
    with engine.connect() as conn:
        keys = sorted(conn.scalars(select(sync_cursors.c.key)))
    assert keys == ["a", "b", "first"]


def test_a_failing_after_commit_still_answers(engine: Engine, caplog: Any) -> None:
    def after_commit(eng: Engine, items: Any, results: Any) -> None:
        raise RuntimeError("derivation failed")

    writer = DeliveryWriter(engine, after_commit=after_commit)
    outcome = writer.submit(prepared("x1", 1)).result(timeout=30)
    writer.close()
    assert outcome.outcome == "accepted"
    assert count(engine, activities) == 1
    assert "after_commit failed" in caplog.text


def test_closed_writer_refuses_new_work(engine: Engine) -> None:
    writer = DeliveryWriter(engine)
    writer.close()
    with pytest.raises(RuntimeError):
        writer.submit(prepared("z", 1))
