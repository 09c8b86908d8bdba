"""Receiving webhook deliveries: deduplicated by delivery id, committed before acknowledged.

The interface verifies the signature first (a delivery that fails it leaves no trace here).
Then :func:`prepare_delivery` parses and maps the body (no database work), and
:func:`store_deliveries` writes any number of prepared deliveries in the caller's write
transaction: a body that cannot be understood is kept in ``dead_letters`` with the error, never
silently dropped; a delivery id seen before (or earlier in the same batch) is answered as a
duplicate and changes nothing; otherwise the delivery row and its activities are stored. The
caller answers a delivery only after that transaction commits, so a 2xx means committed.

:func:`do_receive_delivery` does all of it for one delivery in its own transaction. The web
route instead hands prepared deliveries to a :class:`DeliveryWriter`, which commits the
deliveries waiting at one moment together (group commit, :mod:`hearth.actions.group_commit`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Insert, insert

from hearth.actions.group_commit import AfterCommit, GroupCommitter
from hearth.actions.identities import IdentityResolver
from hearth.actions.ingest import (
    IngestReport,
    Key,
    ingest_in,
    validated,
)
from hearth.domain.activity import ActivityIn
from hearth.errors import InputError
from hearth.store.db import begin_write, dialect_insert, sqlite_query, sqlite_time
from hearth.store.tables import dead_letters, webhook_deliveries

Mapper = Callable[[str, dict[str, Any]], list[ActivityIn]]
MAX_DEAD_LETTER = 1_000_000


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What became of a delivery: accepted, ignored, duplicate or rejected."""

    outcome: str
    activities: int = 0
    error: str | None = None
    stored: frozenset[Key] = frozenset()  # the new activities' (platform, source_id)

    @property
    def http_status(self) -> int:
        return 400 if self.outcome == "rejected" else 200


@dataclass(frozen=True, slots=True)
class PreparedDelivery:
    """A verified delivery, parsed and mapped, ready to store.

    ``outcome`` is ``accepted`` or ``ignored``; or ``rejected`` with ``error`` set, when only a
    dead letter is to be stored.
    """

    platform: str
    delivery_id: str
    event: str
    body: bytes
    outcome: str
    activities: list[ActivityIn] = field(default_factory=list)
    error: str | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def prepare_delivery(
    *,
    platform: str,
    delivery_id: str | None,
    event: str | None,
    body: bytes,
    map_event: Mapper,
    ignored: Collection[str],
) -> PreparedDelivery:
    """Parse and map a verified delivery; pure apart from the clock."""

    def rejected(source: str | None, error: str) -> PreparedDelivery:
        return PreparedDelivery(
            platform, (source or "unknown"), event or "", body, "rejected", error=error
        )

    if not event:
        return rejected(delivery_id, "the event-type header is missing")
    if not delivery_id:
        return rejected(event, "the delivery-id header is missing")
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return rejected(delivery_id, f"the body is not JSON: {exc}")
    if not isinstance(payload, dict):
        return rejected(delivery_id, "the body is not a JSON object")
    if event in ignored:
        return PreparedDelivery(platform, delivery_id, event, body, "ignored")
    try:
        mapped = map_event(event, payload)
    except InputError as exc:
        return rejected(delivery_id, f"{event}: {exc}")
    return PreparedDelivery(platform, delivery_id, event, body, "accepted", mapped)


def store_deliveries(
    conn: Connection,
    deliveries: Sequence[PreparedDelivery],
    report: IngestReport | None = None,
) -> list[DeliveryOutcome]:
    """Store ``deliveries`` in the caller's write transaction; one outcome each, in order.

    ``report`` (when given) adds up the activities of the whole batch.
    """
    report = report if report is not None else IngestReport()
    outcomes: list[DeliveryOutcome | None] = [None] * len(deliveries)
    letters: list[dict[str, Any]] = []
    claims: dict[tuple[str, str], int] = {}  # (platform, delivery id) -> first index
    for n, delivery in enumerate(deliveries):
        if delivery.outcome == "rejected":
            letters.append(_letter(delivery, delivery.error or ""))
            outcomes[n] = DeliveryOutcome("rejected", error=delivery.error)
        elif (key := (delivery.platform, delivery.delivery_id[:128])) in claims:
            outcomes[n] = DeliveryOutcome("duplicate")
        else:
            claims[key] = n
    claimed = _claim(conn, [deliveries[n] for n in claims.values()]) if claims else set()
    # Every claimed delivery's activities go in together; each delivery is credited with the
    # new activities it was the first in the batch to carry. Records the ledger refuses are
    # kept as a dead letter of their delivery, which is still accepted (as one at a time was).
    mapped: list[ActivityIn] = []
    owners: list[int] = []
    for key, n in claims.items():
        if key not in claimed:
            outcomes[n] = DeliveryOutcome("duplicate")
            continue
        delivery = deliveries[n]
        own = IngestReport()
        good = validated(delivery.activities, own)
        if own.rejected:
            errors = "; ".join(str(e) for e in own.errors)
            letters.append(_letter(delivery, f"{delivery.event}: {errors}"))
            report.rejected += own.rejected
            report.errors.extend(own.errors)
        mapped.extend(good)
        owners.extend([n] * len(good))
    credited: dict[int, set[Key]] = {}
    if mapped:
        stored = ingest_in(conn, mapped, report, IdentityResolver())
        for activity, n in zip(mapped, owners, strict=True):
            activity_key: Key = (activity.platform, activity.source_id)
            if activity_key in stored:
                stored.discard(activity_key)
                credited.setdefault(n, set()).add(activity_key)
    for key, n in claims.items():
        if key in claimed:
            own_keys = frozenset(credited.get(n, ()))
            outcomes[n] = DeliveryOutcome(deliveries[n].outcome, len(own_keys), stored=own_keys)
    if letters:
        conn.execute(_DEAD_LETTER, letters)
    return [outcome or DeliveryOutcome("duplicate") for outcome in outcomes]


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
    """Store what a verified delivery says, in its own transaction; see the module docstring."""
    prepared = prepare_delivery(
        platform=platform,
        delivery_id=delivery_id,
        event=event,
        body=body,
        map_event=map_event,
        ignored=ignored,
    )
    with begin_write(engine) as conn:
        return store_deliveries(conn, [prepared])[0]


class DeliveryWriter(GroupCommitter[PreparedDelivery, DeliveryOutcome]):
    """The group-commit writer of webhook deliveries (one per web process).

    ``after_commit(engine, deliveries, outcomes)`` runs after each batch commits, before any of
    its deliveries is answered; each outcome's ``stored`` names the activities it added.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        after_commit: AfterCommit[PreparedDelivery, DeliveryOutcome] | None = None,
        max_batch: int = 256,
    ) -> None:
        super().__init__(
            engine,
            store_deliveries,
            after_commit=after_commit,
            max_batch=max_batch,
            name="hearth-webhook-writer",
        )


_DEAD_LETTER = insert(dead_letters)
_CLAIMS: dict[str, Insert] = {}


def _claim(conn: Connection, deliveries: list[PreparedDelivery]) -> set[tuple[str, str]]:
    """Store the delivery rows of ``deliveries`` (each id once) except those stored before; the
    ``(platform, delivery id)`` of those stored now."""
    if conn.dialect.name != "sqlite":
        rows = [_delivery_row(delivery) for delivery in deliveries]
        return {(p, d) for p, d in conn.execute(_claim_statement(conn.dialect.name), rows)}
    # SQLite, straight to the driver: the write transaction (BEGIN IMMEDIATE) keeps every other
    # writer out between the look-up and the insert, so what was not there is stored now.
    keys = [(d.platform, d.delivery_id[:128]) for d in deliveries]
    seen = {
        (p, d)
        for p, d in sqlite_query(
            conn,
            f"SELECT platform, delivery_id FROM {webhook_deliveries.name} "
            f"WHERE (platform, delivery_id) IN (VALUES {', '.join(['(?, ?)'] * len(keys))})",
            [value for key in keys for value in key],
        )
    }
    new = [d for d, key in zip(deliveries, keys, strict=True) if key not in seen]
    if new:
        conn.exec_driver_sql(
            f"INSERT INTO {webhook_deliveries.name} "
            "(platform, delivery_id, event, received_at, outcome, activities) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, delivery_id) DO NOTHING",
            [
                (
                    d.platform,
                    d.delivery_id[:128],
                    d.event[:64],
                    sqlite_time(d.received_at),
                    d.outcome,
                    len(d.activities),
                )
                for d in new
            ],
        )
    return {key for key in keys if key not in seen}


def _claim_statement(dialect: str) -> Insert:
    """INSERT of delivery rows that skips ids seen before and returns the ids it stored."""
    stmt = _CLAIMS.get(dialect)
    if stmt is None:
        stmt = (
            dialect_insert(dialect, webhook_deliveries)
            .on_conflict_do_nothing(index_elements=["platform", "delivery_id"])
            .returning(webhook_deliveries.c.platform, webhook_deliveries.c.delivery_id)
        )
        _CLAIMS[dialect] = stmt
    return stmt


def _delivery_row(delivery: PreparedDelivery) -> dict[str, Any]:
    return {
        "platform": delivery.platform,
        "delivery_id": delivery.delivery_id[:128],
        "event": delivery.event[:64],
        "received_at": delivery.received_at,
        "outcome": delivery.outcome,
        "activities": len(delivery.activities),
    }


def _letter(delivery: PreparedDelivery, error: str) -> dict[str, Any]:
    return {
        "platform": delivery.platform,
        "source": delivery.delivery_id[:200],
        "received_at": delivery.received_at,
        "error": error,
        "payload": delivery.body[:MAX_DEAD_LETTER].decode("utf-8", errors="replace"),
    }
