"""Ingest: the one way activities enter the ledger.

:func:`ingest` takes an iterable of any size of parsed records — :class:`ActivityIn` or the
:class:`RecordError` a parser produced for a bad record — and stores the activities in batches,
one transaction per batch, in bounded memory. ``(platform, source_id)`` is unique: an activity
seen before (in an earlier import or earlier in the same one) is counted as a duplicate and
changes nothing. Bad records are counted and reported; the good records around them are kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC
from functools import cache
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine, Insert, bindparam, select

from hearth.actions.identities import IdentityResolver
from hearth.actions.privacy import identity_hash
from hearth.domain.activity import ActivityIn, IdentityRef, ensure_utc, validate_activity
from hearth.errors import RecordError
from hearth.store.db import dialect_insert
from hearth.store.tables import activities, erasures

Parsed = ActivityIn | RecordError
MAX_KEPT_ERRORS = 1000


@dataclass
class IngestReport:
    """What an ingest did: counts, and the first errors with their locations."""

    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    erased: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.imported + self.duplicates + self.rejected + self.erased

    def reject(self, error: RecordError) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(error)

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "erased": self.erased,
            "errors": [str(e) for e in self.errors],
        }


ProgressCallback = Callable[[IngestReport], None]


def ingest(
    engine: Engine,
    records: Iterable[Parsed],
    *,
    batch_size: int = 2000,
    on_batch: ProgressCallback | None = None,
    resolver: IdentityResolver | None = None,
) -> IngestReport:
    """Store ``records`` in the ledger; see the module docstring."""
    report = IngestReport()
    resolver = resolver or IdentityResolver()
    insert_stmt = _insert_ignoring_duplicates(engine.dialect.name)
    iterator = iter(records)
    while batch := list(islice(iterator, batch_size)):
        good = _validated(batch, report)
        if good:
            with engine.begin() as conn:
                _store_batch(conn, insert_stmt, resolver, good, report)
        if on_batch is not None:
            on_batch(report)
    return report


def ingest_in(
    conn: Connection,
    records: Iterable[Parsed],
    report: IngestReport,
    resolver: IdentityResolver | None = None,
) -> IngestReport:
    """Store ``records`` inside the caller's transaction (for a webhook delivery, which
    commits its delivery row and its activities together). Meant for small inputs."""
    good = _validated(list(records), report)
    if good:
        insert_stmt = _insert_ignoring_duplicates(conn.dialect.name)
        _store_batch(conn, insert_stmt, resolver or IdentityResolver(), good, report)
    return report


def ingest_one(engine: Engine, activity: ActivityIn) -> bool:
    """Store one activity; True when it was new, False when it was a duplicate."""
    report = ingest(engine, [activity], batch_size=1)
    if report.errors:
        raise report.errors[0]
    return report.imported == 1


def _validated(batch: list[Parsed], report: IngestReport) -> list[ActivityIn]:
    good: list[ActivityIn] = []
    for record in batch:
        if isinstance(record, RecordError):
            report.reject(record)
            continue
        problems = validate_activity(record)
        if problems:
            report.reject(
                RecordError("; ".join(problems), element=f"{record.platform}:{record.source_id}")
            )
            continue
        good.append(record)
    return good


def _store_batch(
    conn: Connection,
    insert_stmt: Insert,
    resolver: IdentityResolver,
    batch: list[ActivityIn],
    report: IngestReport,
) -> None:
    fresh = _drop_known(conn, batch, report)
    if fresh and conn.scalar(select(erasures.c.id).limit(1)) is not None:
        fresh = _drop_erased(conn, fresh, report)
    if not fresh:
        return
    resolver.resolve(conn, _refs(fresh))
    if conn.dialect.name == "sqlite":
        result = conn.exec_driver_sql(_sqlite_insert(), _sqlite_rows(resolver, fresh))
    else:
        result = conn.execute(insert_stmt, _rows(resolver, fresh))
    stored = result.rowcount if result.rowcount >= 0 else len(fresh)
    report.imported += stored
    report.duplicates += len(fresh) - stored


def _rows(resolver: IdentityResolver, fresh: list[ActivityIn]) -> list[dict[str, Any]]:
    rows = []
    for activity in fresh:
        actor_identity = actor_member = owner_identity = owner_member = None
        if activity.actor is not None:
            actor_identity, actor_member = resolver.get(activity.actor)
        if activity.target_owner is not None:
            owner_identity, owner_member = resolver.get(activity.target_owner)
        rows.append(
            {
                "platform": activity.platform,
                "source_id": activity.source_id,
                "kind": activity.kind,
                "occurred_at": ensure_utc(activity.occurred_at),
                "actor_identity_id": actor_identity,
                "actor_member_id": actor_member,
                "target_type": activity.target_type,
                "target_id": activity.target_id,
                "target_owner_identity_id": owner_identity,
                "target_owner_member_id": owner_member,
                "properties": dict(activity.properties),
            }
        )
    return rows


# On SQLite the rows go straight to the driver's executemany, as tuples, with each value
# converted the way the table's column types would convert it. That skips SQLAlchemy's per-row
# parameter processing: about 3 µs an activity, some 10% of a million-activity import, whose
# time is mostly SQLite maintaining the table's four indexes (docs/benchmarks.md). These are
# the columns, in the order of the tuples; every other column of the table must be the id, and
# _sqlite_insert checks that it still is.
_SQLITE_COLUMNS = (
    "platform",
    "source_id",
    "kind",
    "occurred_at",
    "actor_identity_id",
    "actor_member_id",
    "target_type",
    "target_id",
    "target_owner_identity_id",
    "target_owner_member_id",
    "properties",
)


_JSON = json.JSONEncoder()  # what json.dumps uses, minus its per-call argument handling


@cache
def _sqlite_insert() -> str:
    others = {column.name for column in activities.columns} - set(_SQLITE_COLUMNS)
    if others != {"id"}:
        raise NotImplementedError(
            f"the activities table has columns the SQLite ingest does not fill: {sorted(others)}"
        )
    return (
        f"INSERT INTO {activities.name} ({', '.join(_SQLITE_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(_SQLITE_COLUMNS))}) "
        "ON CONFLICT (platform, source_id) DO NOTHING"
    )


def _sqlite_rows(resolver: IdentityResolver, fresh: list[ActivityIn]) -> list[tuple[Any, ...]]:
    """``fresh`` as tuples of _SQLITE_COLUMNS, stored as SQLAlchemy stores them on SQLite:
    times as naive UTC text (``UTCDateTime`` and SQLite's ``DATETIME``) and properties as
    ``json.dumps`` text (SQLAlchemy's ``JSON`` serializer)."""
    get = resolver.get
    dumps = _JSON.encode
    rows = []
    for activity in fresh:
        actor, owner = activity.actor, activity.target_owner
        actor_identity, actor_member = (None, None) if actor is None else get(actor)
        owner_identity, owner_member = (None, None) if owner is None else get(owner)
        at = activity.occurred_at
        if at.tzinfo is not UTC:
            at = ensure_utc(at)
        properties = activity.properties
        rows.append(
            (
                activity.platform,
                activity.source_id,
                activity.kind,
                at.replace(tzinfo=None).isoformat(" ", "microseconds"),
                actor_identity,
                actor_member,
                activity.target_type,
                activity.target_id,
                owner_identity,
                owner_member,
                dumps(properties if type(properties) is dict else dict(properties)),
            )
        )
    return rows


# Built once, with the ids as one expanding parameter rather than a list of literals coerced
# for every batch; chunked so that no statement has more parameters than a SQLite build may
# allow (32,766 by default), whatever the batch size.
_KNOWN = select(activities.c.source_id).where(
    activities.c.platform == bindparam("platform"),
    activities.c.source_id.in_(bindparam("source_ids", expanding=True)),
)
_IN_LIMIT = 10_000


def _drop_known(
    conn: Connection, batch: list[ActivityIn], report: IngestReport
) -> list[ActivityIn]:
    """The activities of ``batch`` not stored before and not repeated within the batch."""
    by_platform: dict[str, dict[str, ActivityIn]] = {}
    for activity in batch:
        same = by_platform.setdefault(activity.platform, {})
        if activity.source_id in same:
            report.duplicates += 1
        else:
            same[activity.source_id] = activity
    fresh: list[ActivityIn] = []
    for platform, by_source in by_platform.items():
        source_ids = list(by_source)
        known: set[str] = set()
        for start in range(0, len(source_ids), _IN_LIMIT):
            chunk = source_ids[start : start + _IN_LIMIT]
            known.update(conn.scalars(_KNOWN, {"platform": platform, "source_ids": chunk}))
        report.duplicates += len(known)
        fresh.extend(a for source_id, a in by_source.items() if source_id not in known)
    return fresh


def _drop_erased(
    conn: Connection, batch: list[ActivityIn], report: IngestReport
) -> list[ActivityIn]:
    """Leave out what erased accounts did, and forget them as owners of targets."""
    hashes = {identity_hash(r.platform, r.external_id) for r in _refs(batch)}
    erased = set(
        conn.scalars(select(erasures.c.identity_hash).where(erasures.c.identity_hash.in_(hashes)))
    )
    if not erased:
        return batch
    kept: list[ActivityIn] = []
    for activity in batch:
        actor = activity.actor
        if actor is not None and identity_hash(actor.platform, actor.external_id) in erased:
            report.erased += 1
            continue
        owner = activity.target_owner
        if owner is not None and identity_hash(owner.platform, owner.external_id) in erased:
            activity = replace(activity, target_owner=None)
        kept.append(activity)
    return kept


def _refs(batch: list[ActivityIn]) -> Iterator[IdentityRef]:
    for activity in batch:
        if activity.actor is not None:
            yield activity.actor
        if activity.target_owner is not None:
            yield activity.target_owner


def _insert_ignoring_duplicates(dialect: str) -> Insert:
    stmt: Insert = dialect_insert(dialect, activities).on_conflict_do_nothing(
        index_elements=["platform", "source_id"]
    )
    return stmt
