"""Receiving webhook deliveries: deduplicated by delivery id, committed before acknowledged.

The interface verifies the signature first (a delivery that fails it leaves no trace here).
Then :func:`do_receive_delivery` parses and maps the body; a body that cannot be understood is
kept in ``dead_letters`` with the error, never silently dropped. A delivery id seen before is
answered as a duplicate and changes nothing. The delivery row and its activities are written
in one transaction, so a 2xx answer means they are committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert

from hearth.actions.ingest import IngestReport, ingest_in
from hearth.domain.activity import ActivityIn
from hearth.errors import InputError
from hearth.store.db import dialect_insert
from hearth.store.tables import dead_letters, webhook_deliveries

Mapper = Callable[[str, dict[str, Any]], list[ActivityIn]]
MAX_DEAD_LETTER = 1_000_000


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What became of a delivery: accepted, ignored, duplicate or rejected."""

    outcome: str
    activities: int = 0
    error: str | None = None

    @property
    def http_status(self) -> int:
        return 400 if self.outcome == "rejected" else 200


def do_receive_delivery(
    engine: Engine,
    *,
    platform: str,
    delivery_id: str | None,
    event: str | None,
    body: bytes,
    map_event: Mapper,
    ignored: Collection[str],
) -> DeliveryOutcome:
    """Store what a verified delivery says; see the module docstring."""
    if not event:
        return _dead_letter(engine, platform, delivery_id, body, "the event-type header is missing")
    if not delivery_id:
        return _dead_letter(engine, platform, event, body, "the delivery-id header is missing")
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _dead_letter(engine, platform, delivery_id, body, f"the body is not JSON: {exc}")
    if not isinstance(payload, dict):
        return _dead_letter(engine, platform, delivery_id, body, "the body is not a JSON object")
    if event in ignored:
        mapped: list[ActivityIn] = []
        outcome = "ignored"
    else:
        try:
            mapped = map_event(event, payload)
        except InputError as exc:
            return _dead_letter(engine, platform, delivery_id, body, f"{event}: {exc}")
        outcome = "accepted"
    report = IngestReport()
    with engine.begin() as conn:
        claimed = conn.execute(
            dialect_insert(engine.dialect.name, webhook_deliveries)
            .values(
                platform=platform,
                delivery_id=delivery_id[:128],
                event=event[:64],
                received_at=datetime.now(UTC),
                outcome=outcome,
                activities=len(mapped),
            )
            .on_conflict_do_nothing(index_elements=["platform", "delivery_id"])
            .returning(webhook_deliveries.c.id)
        ).first()
        if claimed is None:
            return DeliveryOutcome("duplicate")
        if mapped:
            ingest_in(conn, mapped, report)
    if report.rejected:
        errors = "; ".join(str(e) for e in report.errors)
        _dead_letter(engine, platform, delivery_id, body, f"{event}: {errors}")
    return DeliveryOutcome(outcome, report.imported)


def _dead_letter(
    engine: Engine, platform: str, source: str | None, body: bytes, error: str
) -> DeliveryOutcome:
    with engine.begin() as conn:
        conn.execute(
            insert(dead_letters).values(
                platform=platform,
                source=(source or "unknown")[:200],
                received_at=datetime.now(UTC),
                error=error,
                payload=body[:MAX_DEAD_LETTER].decode("utf-8", errors="replace"),
            )
        )
    return DeliveryOutcome("rejected", error=error)
