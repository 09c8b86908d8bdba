"""Ingest: the one way activities enter the ledger.

:func:`ingest` takes an iterable of any size of parsed records — :class:`ActivityIn` or the
:class:`RecordError` a parser produced for a bad record — and stores the activities in batches,
one transaction per batch, in bounded memory. ``(platform, source_id)`` is unique: an activity
seen before (in an earlier import or earlier in the same one) is counted as a duplicate and
changes nothing. Bad records are counted and reported; the good records around them are kept.

On SQLite a large import into a ledger that is small next to it runs in *bulk mode*: the
``activities`` table's secondary indexes (not its unique constraint, which catches duplicates)
are dropped once the import has proved large (:data:`BULK_AFTER` records, and at least half as
many as the ledger held), and built again when the import ends, however it ends. Building an
index once is several times cheaper than keeping it up to date row by row (docs/benchmarks.md).
Queries stay correct meanwhile, only slower; an import cut short by a crash leaves the indexes
to the next :func:`ingest` or ``hearth init``, which build any that are missing. In bulk mode
SQLite also skips the foreign-key checks of the activities it stores (every member and identity
id comes from the :class:`IdentityResolver`, whose cache is checked against the audit log in
each batch's transaction, so the checks could find nothing), and Python's cyclic garbage
collector runs less often.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import islice
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Index,
    Insert,
    func,
    inspect,
    select,
    text,
)

from hearth.actions.identities import IdentityResolver
from hearth.actions.privacy import identity_hash
from hearth.domain.activity import ActivityIn, IdentityRef, ensure_utc, validate_activity
from hearth.errors import RecordError
from hearth.store.db import (
    begin_write,
    dialect_insert,
    sqlite_json,
    sqlite_query,
    sqlite_time,
)
from hearth.store.tables import activities, erasures

Parsed = ActivityIn | RecordError
Key = tuple[str, str]  # (platform, source_id)
MAX_KEPT_ERRORS = 1000
BULK_AFTER = 50_000  # records an import must reach before it may switch to bulk mode


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
# Called after each batch commits, with the keys of the activities that batch stored: the place
# for work that follows ingest (derivations). It runs outside the batch's transaction.
AfterCommit = Callable[[Engine, set[Key]], None]


def ingest(
    engine: Engine,
    records: Iterable[Parsed],
    *,
    batch_size: int = 2000,
    on_batch: ProgressCallback | None = None,
    resolver: IdentityResolver | None = None,
    bulk: bool | None = None,
    after_commit: AfterCommit | None = None,
) -> IngestReport:
    """Store ``records`` in the ledger; see the module docstring.

    ``bulk``: ``None`` (the default) switches to bulk mode when the import proves large next to
    the ledger, ``True`` from the first batch, ``False`` never. Only SQLite has a bulk mode.
    ``after_commit(engine, keys)`` runs after each batch commits (see :data:`AfterCommit`).
    """
    report = IngestReport()
    resolver = resolver or IdentityResolver()
    insert_stmt = _insert_ignoring_duplicates(engine.dialect.name)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        restore_indexes(engine)
    ledger_size = _ledger_size(engine) if sqlite and bulk is None else 0
    in_bulk = False
    iterator = iter(records)
    with ExitStack() as bulk_mode:
        while batch := list(islice(iterator, batch_size)):
            if sqlite and not in_bulk and bulk is not False:
                seen = report.seen + len(batch)
                if bulk or (seen >= BULK_AFTER and 2 * seen >= ledger_size):
                    bulk_mode.enter_context(_bulk_mode(engine))
                    in_bulk = True
            good = validated(batch, report)
            if good:
                with begin_write(engine, foreign_keys=not in_bulk) as conn:
                    stored = store_in(conn, insert_stmt, resolver, good, report)
                if after_commit is not None and stored:
                    after_commit(engine, stored)
            if on_batch is not None:
                on_batch(report)
    return report


def ingest_in(
    conn: Connection,
    records: Iterable[Parsed],
    report: IngestReport,
    resolver: IdentityResolver | None = None,
) -> set[Key]:
    """Store ``records`` inside the caller's write transaction (for webhook deliveries, which
    commit their delivery rows and their activities together); meant for small inputs.

    Returns the ``(platform, source_id)`` of the activities stored (not the duplicates)."""
    good = validated(list(records), report)
    if not good:
        return set()
    insert_stmt = _insert_ignoring_duplicates(conn.dialect.name)
    return store_in(conn, insert_stmt, resolver or IdentityResolver(), good, report)


def ingest_one(engine: Engine, activity: ActivityIn) -> bool:
    """Store one activity; True when it was new, False when it was a duplicate."""
    report = ingest(engine, [activity], batch_size=1)
    if report.errors:
        raise report.errors[0]
    return report.imported == 1


def validated(batch: Iterable[Parsed], report: IngestReport) -> list[ActivityIn]:
    """The valid activities of ``batch``; the rest are rejected in ``report``."""
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


def store_in(
    conn: Connection,
    insert_stmt: Insert,
    resolver: IdentityResolver,
    batch: list[ActivityIn],
    report: IngestReport,
) -> set[Key]:
    """Store validated activities in the open write transaction; the keys of those stored.

    Every activity new to the batch goes to the INSERT, whose ``ON CONFLICT DO NOTHING`` leaves
    out those stored before: asking first which are stored would cost a query per batch (a
    tenth of a large import) to save nothing in the common case, where all of them are new.
    """
    fresh = _unique(batch, report)
    if fresh and _any_erasure(conn):
        fresh = _drop_erased(conn, fresh, report)
    if not fresh:
        return set()
    resolver.resolve(conn, _refs(fresh))
    if conn.dialect.name == "sqlite":
        stored_keys = _sqlite_store(conn, resolver, fresh)
    else:
        # PostgreSQL: one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per few hundred
        # rows; what comes back is exactly what was stored, even with concurrent writers.
        stored_keys = {(p, s) for p, s in conn.execute(insert_stmt, _rows(resolver, fresh))}
    report.imported += len(stored_keys)
    report.duplicates += len(fresh) - len(stored_keys)
    return stored_keys


def _sqlite_store(
    conn: Connection, resolver: IdentityResolver, fresh: list[ActivityIn]
) -> set[Key]:
    """Insert ``fresh`` through the driver; the keys of those stored (not stored before).

    The write transaction (BEGIN IMMEDIATE) keeps every other writer out, so the rows this
    INSERT adds are exactly those with an id above the largest before it: when the driver's
    count shows that some were stored before, those are the ones with an id at or below it.
    """
    before = sqlite_query(conn, _SQLITE_LAST_ID)[0][0] or 0
    result = conn.exec_driver_sql(_sqlite_insert(), _sqlite_rows(resolver, fresh))
    keys = {(a.platform, a.source_id) for a in fresh}
    if result.rowcount == len(fresh):
        return keys
    by_platform: dict[str, list[str]] = {}
    for activity in fresh:
        by_platform.setdefault(activity.platform, []).append(activity.source_id)
    for platform, source_ids in by_platform.items():
        for start in range(0, len(source_ids), _IN_LIMIT):
            chunk = source_ids[start : start + _IN_LIMIT]
            rows = sqlite_query(conn, _sqlite_stored_before(len(chunk)), (before, platform, *chunk))
            keys.difference_update((platform, source_id) for (source_id,) in rows)
    return keys


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
    """``fresh`` as tuples of _SQLITE_COLUMNS, in the form SQLAlchemy's column types read back
    on SQLite: times as naive UTC text (``UTCDateTime`` and SQLite's ``DATETIME``) and
    properties as JSON text (:func:`hearth.store.db.sqlite_json`)."""
    ids = resolver.ids
    dumps, time_text = sqlite_json, sqlite_time
    rows = []
    for activity in fresh:
        actor, owner = activity.actor, activity.target_owner
        if actor is None:
            actor_identity = actor_member = None
        else:
            actor_identity, actor_member = ids[(actor.platform, actor.external_id)]
        if owner is None:
            owner_identity = owner_member = None
        else:
            owner_identity, owner_member = ids[(owner.platform, owner.external_id)]
        properties = activity.properties
        rows.append(
            (
                activity.platform,
                activity.source_id,
                activity.kind,
                time_text(activity.occurred_at),
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


# Chunked so that no statement has more parameters than a SQLite build may allow (32,766 by
# default), whatever the batch size.
_ANY_ERASURE = select(erasures.c.id).limit(1)
_IN_LIMIT = 10_000
_SQLITE_LAST_ID = f"SELECT max(id) FROM {activities.name}"


@cache
def _sqlite_stored_before(count: int) -> str:
    return (
        f"SELECT source_id FROM {activities.name} WHERE id <= ? AND platform = ? "
        f"AND source_id IN ({', '.join('?' * count)})"
    )


def _any_erasure(conn: Connection) -> bool:
    if conn.dialect.name == "sqlite":
        return bool(sqlite_query(conn, f"SELECT 1 FROM {erasures.name} LIMIT 1"))
    return conn.scalar(_ANY_ERASURE) is not None


def _unique(batch: list[ActivityIn], report: IngestReport) -> list[ActivityIn]:
    """``batch`` without the activities repeated within it (the first of each is kept; the
    others are counted as duplicates)."""
    if len({(a.platform, a.source_id) for a in batch}) == len(batch):
        return batch
    unique: dict[Key, ActivityIn] = {}
    for activity in batch:
        unique.setdefault((activity.platform, activity.source_id), activity)
    report.duplicates += len(batch) - len(unique)
    return list(unique.values())


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


@cache
def _insert_ignoring_duplicates(dialect: str) -> Insert:
    stmt: Insert = dialect_insert(dialect, activities).on_conflict_do_nothing(
        index_elements=["platform", "source_id"]
    )
    if dialect != "sqlite":
        stmt = stmt.returning(activities.c.platform, activities.c.source_id)
    return stmt


# -- bulk mode (SQLite) ------------------------------------------------------------------------


def _secondary_indexes() -> list[Index]:
    """The indexes of ``activities`` that only speed up reads (the unique constraint is not one
    of them: it is what makes a re-import change nothing)."""
    return sorted((ix for ix in activities.indexes if not ix.unique), key=lambda ix: str(ix.name))


def _ledger_size(engine: Engine) -> int:
    """About how many activities the ledger holds (the largest id: cheap, and never less)."""
    with engine.connect() as conn:
        return int(conn.scalar(select(func.max(activities.c.id))) or 0)


@contextmanager
def _bulk_mode(engine: Engine) -> Iterator[None]:
    """Bulk mode for the rest of an import (see the module docstring): the secondary indexes
    dropped, and built again however the block ends; and the cyclic garbage collector run a
    hundred times less often. An import allocates millions of short-lived objects, none of them
    in a cycle (reference counting frees them), and at Python's default thresholds the collector
    walked the young ones every 700 allocations: a tenth of the import's time."""
    with begin_write(engine) as conn:
        for index in _secondary_indexes():
            index.drop(conn, checkfirst=True)
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _BULK_GC_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        restore_indexes(engine)


_BULK_GC_THRESHOLD = 100_000


def restore_indexes(engine: Engine) -> list[str]:
    """Build any secondary index of ``activities`` that is missing (after a bulk import, or one
    cut short); the names of those built."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            present = set(conn.scalars(_INDEX_NAMES))
        else:
            present = {ix["name"] for ix in inspect(conn).get_indexes(activities.name)}
    missing = [ix for ix in _secondary_indexes() if ix.name not in present]
    if missing:
        with begin_write(engine) as conn:
            for index in missing:
                index.create(conn, checkfirst=True)
    return [str(ix.name) for ix in missing]


_INDEX_NAMES = text(
    f"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{activities.name}'"
)
