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

On SQLite each batch is first prepared without the database (:mod:`hearth.actions.ingest_rows`:
validated, de-duplicated, made into rows that name accounts by platform and id), then written
here: accounts resolved, ids filled in, one INSERT. With ``parallel_after`` the preparing of a
large import moves to a second process (:mod:`hearth.actions.ingest_pipeline`) once that many
records are read, and this process only writes: the second process stages each batch's rows in
a file, and this one resolves the accounts they name and copies the rows into the ledger with one
``INSERT … SELECT`` (:mod:`hearth.actions.ingest_staging`).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
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

from hearth.actions.identities import REF_FIELDS, IdentityResolver, RefFields
from hearth.actions.ingest_pipeline import Producer, can_fork
from hearth.actions.ingest_rows import (
    ACTOR,
    MAX_KEPT_ERRORS,
    OWNER,
    IngestReport,
    Key,
    Parsed,
    Prepared,
    WireRow,
    bind_ids,
    prepare,
    sqlite_columns,
    unique,
    validated,
    wire_rows,
)
from hearth.actions.ingest_staging import StagedWriter
from hearth.actions.privacy import identity_hash
from hearth.domain.activity import ActivityIn, IdentityRef, ensure_utc
from hearth.store.db import begin_write, dialect_insert, sqlite_query, sqlite_sort_threads
from hearth.store.tables import activities, erasures

__all__ = [
    "BATCH_SIZE",
    "MAX_KEPT_ERRORS",
    "PARALLEL_AFTER",
    "AfterCommit",
    "IngestReport",
    "Key",
    "Parsed",
    "ingest",
    "ingest_in",
    "ingest_one",
    "restore_indexes",
    "validated",
]

log = logging.getLogger(__name__)

BULK_AFTER = 50_000  # records an import must reach before it may switch to bulk mode
# Activities per batch (one transaction each), unless the caller says otherwise. Larger batches
# write fewer pages: an index page that several of a batch's activities change goes to SQLite's
# write-ahead log once a transaction, not once for each (docs/benchmarks.md: 10,000 against
# 2,000, +10% on a million-activity import); a batch holds the write lock for about 0.1 s.
BATCH_SIZE = 10_000
# Records after which a large import's reading moves to a second process (``parallel_after``):
# forking costs some milliseconds, a fraction of a percent of this many records' import.
PARALLEL_AFTER = 20_000


ProgressCallback = Callable[[IngestReport], None]
# Called after each batch commits, with the keys of the activities that batch stored: the place
# for work that follows ingest (derivations). It runs outside the batch's transaction.
AfterCommit = Callable[[Engine, set[Key]], None]


def ingest(
    engine: Engine,
    records: Iterable[Parsed],
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: ProgressCallback | None = None,
    resolver: IdentityResolver | None = None,
    bulk: bool | None = None,
    after_commit: AfterCommit | None = None,
    parallel_after: int | None = None,
    reader_state: object | None = None,
) -> IngestReport:
    """Store ``records`` in the ledger; see the module docstring.

    ``bulk``: ``None`` (the default) switches to bulk mode when the import proves large next to
    the ledger, ``True`` from the first batch, ``False`` never. Only SQLite has a bulk mode.
    ``after_commit(engine, keys)`` runs after each batch commits (see :data:`AfterCommit`).
    ``parallel_after``: on SQLite, once this many records are read, a second process reads and
    prepares the rest while this one writes (:mod:`hearth.actions.ingest_pipeline`: only for a
    source whose reading changes nothing the caller looks at afterwards, or that names what it
    changes as ``reader_state``: an object whose attributes the reader process's copy
    overwrites when it stops reading); ``None``: never.
    """
    report = IngestReport()
    resolver = resolver or IdentityResolver()
    if engine.dialect.name != "sqlite":
        insert_stmt = _insert_ignoring_duplicates(engine.dialect.name)
        iterator = iter(records)
        while batch := list(islice(iterator, batch_size)):
            good = validated(batch, report)
            if good:
                with begin_write(engine) as conn:
                    stored = store_in(conn, insert_stmt, resolver, good, report)
                if after_commit is not None and stored:
                    after_commit(engine, stored)
            if on_batch is not None:
                on_batch(report)
        return report
    restore_indexes(engine)
    ledger_size = _ledger_size(engine) if bulk is None else 0
    in_bulk = False
    staged: StagedWriter | None = None  # the writer of batches a reader process staged
    # the reader (a child process, if any) is stopped before bulk mode builds the indexes
    with (
        ExitStack() as bulk_mode,
        _prepared(records, batch_size, parallel_after, reader_state) as batches,
    ):
        for prepared in batches:
            if not in_bulk and bulk is not False:
                seen = report.seen + prepared.count
                if bulk or (seen >= BULK_AFTER and 2 * seen >= ledger_size):
                    bulk_mode.enter_context(_bulk_mode(engine))
                    in_bulk = True
            report.absorb(prepared.report)
            if prepared.staged is not None:
                if staged is None:
                    staged = StagedWriter(engine)
                    bulk_mode.callback(staged.close)
                stored = _store_staged(
                    staged,
                    resolver,
                    prepared,
                    report,
                    foreign_keys=not in_bulk,
                    want_keys=after_commit is not None,
                )
                if after_commit is not None and stored:
                    after_commit(engine, stored)
            elif prepared.rows:
                with begin_write(engine, foreign_keys=not in_bulk) as conn:
                    stored = _sqlite_store_in(conn, resolver, prepared.rows, prepared.refs, report)
                if after_commit is not None and stored:
                    after_commit(engine, stored)
            if on_batch is not None:
                on_batch(report)
    return report


@contextmanager
def _prepared(
    records: Iterable[Parsed],
    batch_size: int,
    parallel_after: int | None,
    reader_state: object | None = None,
) -> Iterator[Iterator[Prepared]]:
    """``records`` as prepared batches: made here until ``parallel_after`` records were read,
    then by a :class:`Producer` child; the child is stopped when the block ends."""
    iterator = iter(records)
    producers: list[Producer] = []

    def batches() -> Iterator[Prepared]:
        read = 0
        while parallel_after is None or read < parallel_after or not can_fork():
            batch = list(islice(iterator, batch_size))
            if not batch:
                return
            read += len(batch)
            yield prepare(batch)
        try:
            producers.append(Producer(iterator, batch_size, reader_state))
        except OSError as error:
            # no second process (no temporary folder for its staging files, no memory to fork
            # it): the import goes on, in this one
            log.warning("reading the rest of the import in one process: %s", error)
            while batch := list(islice(iterator, batch_size)):
                yield prepare(batch)
            return
        yield from producers[0]

    try:
        yield batches()
    finally:
        for producer in producers:
            producer.stop()


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
    fresh = unique(batch, report)
    if conn.dialect.name == "sqlite":
        rows, refs = wire_rows(fresh)
        return _sqlite_store_in(conn, resolver, rows, refs, report)
    if fresh and _any_erasure(conn):
        fresh = _drop_erased(conn, fresh, report)
    if not fresh:
        return set()
    resolver.resolve(conn, _refs(fresh))
    # PostgreSQL: one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per few hundred
    # rows; what comes back is exactly what was stored, even with concurrent writers.
    stored_keys = {(p, s) for p, s in conn.execute(insert_stmt, _rows(resolver, fresh))}
    report.imported += len(stored_keys)
    report.duplicates += len(fresh) - len(stored_keys)
    return stored_keys


def _sqlite_store_in(
    conn: Connection,
    resolver: IdentityResolver,
    rows: list[WireRow],
    refs: list[RefFields],
    report: IngestReport,
) -> set[Key]:
    """:func:`store_in` on SQLite, for a batch already made wire rows (:func:`prepare`)."""
    if rows and _any_erasure(conn):
        rows, refs = _drop_erased_rows(conn, rows, refs, report)
    resolver.resolve_fields(conn, refs)  # even with no rows left (see _drop_erased_rows)
    if not rows:
        return set()
    stored_keys = _sqlite_store(conn, bind_ids(rows, resolver.ids))
    report.imported += len(stored_keys)
    report.duplicates += len(rows) - len(stored_keys)
    return stored_keys


def _store_staged(
    writer: StagedWriter,
    resolver: IdentityResolver,
    prepared: Prepared,
    report: IngestReport,
    *,
    foreign_keys: bool,
    want_keys: bool,
) -> set[Key]:
    """Store a batch a reader process staged (:mod:`hearth.actions.ingest_staging`) in one
    transaction; the keys of the activities stored when ``want_keys`` (else an empty set)."""
    batch = prepared.staged
    assert batch is not None
    with writer.transaction(batch, foreign_keys=foreign_keys) as conn:
        numbered = [
            (number, (values[0], values[1]))
            for number, values in zip(batch.numbers, prepared.refs, strict=True)
        ]
        refs = prepared.refs
        erased: set[Key] = set()
        any_erasure = _any_erasure(conn)
        if any_erasure:
            erased = _erased_keys(conn, {key for _, key in numbered})
            refs = [values for values in refs if (values[0], values[1]) not in erased]
        resolver.resolve_fields(conn, refs)
        if writer.epoch != resolver.epoch:
            # who owns an account may have changed since the numbers were recorded
            if writer.epoch is not None:
                _reread_numbers(conn, writer, resolver, any_erasure)
            writer.epoch = resolver.epoch
        # (resolving may have had to forget what it knew: the audit log moved in between)
        resolver.load(conn, [key for _, key in numbered if key not in erased])
        writer.register(
            conn,
            [
                (number, key, None if key in erased else resolver.ids[key])
                for number, key in numbered
            ],
        )
        before = (sqlite_query(conn, _SQLITE_LAST_ID)[0][0] or 0) if want_keys else 0
        stored, left_out = writer.insert(conn)
        report.imported += stored
        report.erased += left_out
        report.duplicates += batch.rows - stored - left_out
        if not want_keys or not stored:
            return set()
        return {
            (platform, source_id)
            for platform, source_id in sqlite_query(conn, _SQLITE_STORED_SINCE, (before,))
        }


def _reread_numbers(
    conn: Connection, writer: StagedWriter, resolver: IdentityResolver, any_erasure: bool
) -> None:
    """Read every account number's ids again (the audit log moved); an account stored no more
    was erased, or, if it was not, is created again (nothing else removes accounts)."""
    gone = writer.reread(conn)
    if not gone:
        return
    erased = _erased_keys(conn, {key for _, key in gone}) if any_erasure else set()
    back = [key for _, key in gone if key not in erased]
    resolver.resolve_fields(conn, [REF_FIELDS(IdentityRef(*key)) for key in back])
    writer.mark(
        conn, [(number, None if key in erased else resolver.ids[key]) for number, key in gone]
    )


def _sqlite_store(conn: Connection, rows: list[tuple[Any, ...]]) -> set[Key]:
    """Insert ``rows`` (tuples of ``sqlite_columns()``) through the driver; the keys of those stored
    (not stored before).

    The write transaction (BEGIN IMMEDIATE) keeps every other writer out, so the rows this
    INSERT adds are exactly those with an id above the largest before it: when the driver's
    count shows that some were stored before, those are the ones with an id at or below it.
    """
    before = sqlite_query(conn, _SQLITE_LAST_ID)[0][0] or 0
    result = conn.exec_driver_sql(_sqlite_insert(), rows)
    keys = {(row[0], row[1]) for row in rows}
    if result.rowcount == len(rows):
        return keys
    by_platform: dict[str, list[str]] = {}
    for platform, source_id in keys:
        by_platform.setdefault(platform, []).append(source_id)
    for platform, source_ids in by_platform.items():
        for start in range(0, len(source_ids), _IN_LIMIT):
            chunk = source_ids[start : start + _IN_LIMIT]
            stored_before = sqlite_query(
                conn, _sqlite_stored_before(len(chunk)), (before, platform, *chunk)
            )
            keys.difference_update((platform, source_id) for (source_id,) in stored_before)
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
# time is mostly SQLite maintaining the table's four indexes (docs/benchmarks.md). The columns,
# in the order of the tuples, are ingest_rows.sqlite_columns().


@cache
def _sqlite_insert() -> str:
    columns = sqlite_columns()
    return (
        f"INSERT INTO {activities.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))}) "
        "ON CONFLICT (platform, source_id) DO NOTHING"
    )


# Chunked so that no statement has more parameters than a SQLite build may allow (32,766 by
# default), whatever the batch size.
_ANY_ERASURE = select(erasures.c.id).limit(1)
_IN_LIMIT = 10_000
_SQLITE_LAST_ID = f"SELECT max(id) FROM {activities.name}"
_SQLITE_STORED_SINCE = f"SELECT platform, source_id FROM {activities.name} WHERE id > ?"


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


def _erased_keys(conn: Connection, keys: Iterable[Key]) -> set[Key]:
    """The accounts among ``keys`` whose owner asked to be erased."""
    by_hash = {
        identity_hash(platform, external_id): (platform, external_id)
        for platform, external_id in keys
    }
    erased = conn.scalars(
        select(erasures.c.identity_hash).where(erasures.c.identity_hash.in_(by_hash))
    )
    return {by_hash[identity] for identity in erased}


def _drop_erased(
    conn: Connection, batch: list[ActivityIn], report: IngestReport
) -> list[ActivityIn]:
    """Leave out what erased accounts did, and forget them as owners of targets."""
    erased = _erased_keys(conn, {(r.platform, r.external_id) for r in _refs(batch)})
    if not erased:
        return batch
    kept: list[ActivityIn] = []
    for activity in batch:
        actor = activity.actor
        if actor is not None and (actor.platform, actor.external_id) in erased:
            report.erased += 1
            continue
        owner = activity.target_owner
        if owner is not None and (owner.platform, owner.external_id) in erased:
            activity = replace(activity, target_owner=None)
        kept.append(activity)
    return kept


def _accounts(rows: list[WireRow]) -> set[Key]:
    """The accounts ``rows`` name (as actors or target owners)."""
    accounts = {row[ACTOR] for row in rows} | {row[OWNER] for row in rows}
    accounts.discard(None)
    return accounts  # type: ignore[return-value]


def _drop_erased_rows(
    conn: Connection, rows: list[WireRow], refs: list[RefFields], report: IngestReport
) -> tuple[list[WireRow], list[RefFields]]:
    """:func:`_drop_erased` for wire rows. The refs keep every account that is not erased,
    even one only a dropped row named, as a staged batch's do (:func:`_store_staged`): both
    paths store the same accounts."""
    erased = _erased_keys(conn, _accounts(rows))
    if not erased:
        return rows, refs
    kept: list[WireRow] = []
    for row in rows:
        if row[ACTOR] in erased:
            report.erased += 1
            continue
        if row[OWNER] in erased:
            row = (*row[:OWNER], None, *row[OWNER + 1 :])  # type: ignore[assignment]
        kept.append(row)
    return kept, [values for values in refs if (values[0], values[1]) not in erased]


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
        with begin_write(engine) as conn, sqlite_sort_threads(conn):
            for index in missing:
                index.create(conn, checkfirst=True)
    return [str(ix.name) for ix in missing]


_INDEX_NAMES = text(
    f"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{activities.name}'"
)
