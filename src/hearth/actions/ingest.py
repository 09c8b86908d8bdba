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
to the next :func:`ingest` or ``hearth init``, which build any that are missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC
from functools import cache
from itertools import islice
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Index,
    Insert,
    bindparam,
    func,
    inspect,
    select,
    text,
)

from hearth.actions.identities import IdentityResolver
from hearth.actions.privacy import identity_hash
from hearth.domain.activity import ActivityIn, IdentityRef, ensure_utc, validate_activity
from hearth.errors import RecordError
from hearth.store.db import begin_write, dialect_insert, sqlite_json, sqlite_query
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
    dropped = False
    iterator = iter(records)
    try:
        while batch := list(islice(iterator, batch_size)):
            if sqlite and not dropped and bulk is not False:
                seen = report.seen + len(batch)
                if bulk or (seen >= BULK_AFTER and 2 * seen >= ledger_size):
                    _drop_indexes(engine)
                    dropped = True
            good = validated(batch, report)
            if good:
                with begin_write(engine) as conn:
                    stored = store_in(conn, insert_stmt, resolver, good, report)
                if after_commit is not None and stored:
                    after_commit(engine, stored)
            if on_batch is not None:
                on_batch(report)
    finally:
        if dropped:
            restore_indexes(engine)
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
    """Store validated activities in the open write transaction; the keys of those stored."""
    fresh = _drop_known(conn, batch, report)
    if fresh and _any_erasure(conn):
        fresh = _drop_erased(conn, fresh, report)
    if not fresh:
        return set()
    resolver.resolve(conn, _refs(fresh))
    if conn.dialect.name == "sqlite":
        # The write transaction (BEGIN IMMEDIATE) has held the lock since _drop_known looked,
        # so every fresh activity goes in; the rowcount confirms it.
        result = conn.exec_driver_sql(_sqlite_insert(), _sqlite_rows(resolver, fresh))
        stored_keys = {(a.platform, a.source_id) for a in fresh}
        stored = result.rowcount if result.rowcount >= 0 else len(fresh)
    else:
        # PostgreSQL: one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per few hundred
        # rows; what comes back is exactly what was stored, even with concurrent writers.
        stored_keys = {(p, s) for p, s in conn.execute(insert_stmt, _rows(resolver, fresh))}
        stored = len(stored_keys)
    report.imported += stored
    report.duplicates += len(fresh) - stored
    return stored_keys


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
    """``fresh`` as tuples of _SQLITE_COLUMNS, stored as SQLAlchemy stores them on SQLite:
    times as naive UTC text (``UTCDateTime`` and SQLite's ``DATETIME``) and properties as
    ``json.dumps`` text (SQLAlchemy's ``JSON`` serializer)."""
    ids = resolver.ids
    dumps = sqlite_json
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
        at = activity.occurred_at
        if at.tzinfo is not UTC:
            at = ensure_utc(at)
        properties = activity.properties
        rows.append(
            (
                activity.platform,
                activity.source_id,
                activity.kind,
                at.isoformat(" ", "microseconds")[:26],  # sqlite_time(at), inlined
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
_ANY_ERASURE = select(erasures.c.id).limit(1)
_IN_LIMIT = 10_000


@cache
def _sqlite_known(count: int) -> str:
    return (
        f"SELECT source_id FROM {activities.name} WHERE platform = ? "
        f"AND source_id IN ({', '.join('?' * count)})"
    )


def _any_erasure(conn: Connection) -> bool:
    if conn.dialect.name == "sqlite":
        return bool(sqlite_query(conn, f"SELECT 1 FROM {erasures.name} LIMIT 1"))
    return conn.scalar(_ANY_ERASURE) is not None


def _known(conn: Connection, platform: str, source_ids: list[str]) -> set[str]:
    """Which of ``source_ids`` (at most _IN_LIMIT) are stored on ``platform``."""
    if conn.dialect.name != "sqlite":
        return set(conn.scalars(_KNOWN, {"platform": platform, "source_ids": source_ids}))
    rows = sqlite_query(conn, _sqlite_known(len(source_ids)), (platform, *source_ids))
    return {row[0] for row in rows}


def _drop_known(
    conn: Connection, batch: list[ActivityIn], report: IngestReport
) -> list[ActivityIn]:
    """The activities of ``batch`` not stored before and not repeated within the batch."""
    by_platform: dict[str, dict[str, ActivityIn]] = {}
    for activity in batch:
        same = by_platform.get(activity.platform)
        if same is None:
            same = by_platform[activity.platform] = {}
        if activity.source_id in same:
            report.duplicates += 1
        else:
            same[activity.source_id] = activity
    fresh: list[ActivityIn] = []
    for platform, by_source in by_platform.items():
        source_ids = list(by_source)
        known: set[str] = set()
        for start in range(0, len(source_ids), _IN_LIMIT):
            known |= _known(conn, platform, source_ids[start : start + _IN_LIMIT])
        report.duplicates += len(known)
        if known:
            fresh.extend(a for source_id, a in by_source.items() if source_id not in known)
        else:
            fresh.extend(by_source.values())
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


def _drop_indexes(engine: Engine) -> None:
    with begin_write(engine) as conn:
        for index in _secondary_indexes():
            index.drop(conn, checkfirst=True)


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
