import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from hearth.actions.webhooks import do_receive_delivery
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import InputError
from hearth.store.tables import activities, dead_letters, webhook_deliveries


def map_event(event: str, payload: dict[str, Any]) -> list[ActivityIn]:
    """A small connector mapping: a 'note' event becomes a message."""
    if "user" not in payload:
        raise InputError("field 'user' is missing")
    return [
        ActivityIn(
            "test",
            f"note:{payload['id']}",
            "message.posted",
            datetime(2024, 1, 1, tzinfo=UTC),
            IdentityRef("test", str(payload["user"])),
        )
    ]


def receive(engine: Engine, delivery: str | None, event: str | None, body: bytes):
    return do_receive_delivery(
        engine,
        platform="test",
        delivery_id=delivery,
        event=event,
        body=body,
        map_event=map_event,
        ignored={"ping"},
    )


def count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_accepted_then_redelivered(engine: Engine) -> None:
    body = json.dumps({"id": 1, "user": 7}).encode()
    first = receive(engine, "d1", "note", body)
    assert (first.outcome, first.activities, first.http_status) == ("accepted", 1, 200)
    again = receive(engine, "d1", "note", body)
    assert again.outcome == "duplicate"
    # The same content under a new delivery id is still stored once (source id).
    other = receive(engine, "d2", "note", body)
    assert (other.outcome, other.activities) == ("accepted", 0)
    assert count(engine, activities) == 1
    assert count(engine, webhook_deliveries) == 2


def test_ignored_events_are_acknowledged_and_recorded(engine: Engine) -> None:
    outcome = receive(engine, "p1", "ping", b'{"zen": "Keep it simple"}')
    assert (outcome.outcome, outcome.http_status) == ("ignored", 200)
    assert count(engine, activities) == 0
    assert count(engine, webhook_deliveries) == 1


def test_unparseable_bodies_go_to_dead_letters(engine: Engine) -> None:
    cases = [
        ("d1", "note", b"{not json"),
        ("d2", "note", b"[1, 2]"),
        ("d3", "note", b'{"id": 3}'),
        (None, "note", b'{"id": 4, "user": 1}'),
        ("d5", None, b'{"id": 5, "user": 1}'),
    ]
    for delivery, event, body in cases:
        outcome = receive(engine, delivery, event, body)
        assert (outcome.outcome, outcome.http_status) == ("rejected", 400)
    with engine.connect() as conn:
        letters = conn.execute(select(dead_letters).order_by(dead_letters.c.id)).all()
    assert len(letters) == 5
    assert "not JSON" in letters[0].error
    assert letters[0].payload == "{not json"
    assert "not a JSON object" in letters[1].error
    assert "field 'user' is missing" in letters[2].error
    assert "delivery-id header" in letters[3].error
    assert "event-type header" in letters[4].error
    assert count(engine, webhook_deliveries) == 0
