"""Staged batches: a large import's rows handed from the reader process to the writer through
small SQLite files, and copied into the ledger by SQLite itself.

A reader process (:mod:`hearth.actions.ingest_pipeline`) prepares the rows of an import; the
writer must still turn each row's accounts into member ids and insert it. Done in Python, that
is several µs a row on the writer's core (binding eleven values, looking up two ids), while the
reader's core waits. Staged, the reader does that work instead:

- It numbers every account it meets (:class:`AccountNumbers`: 1, 2, 3… in order of first
  sight) and writes each batch, with account numbers in place of accounts, into one of a ring of
  staging files (:class:`Stage`, :class:`SlotWriter`): a plain SQLite table, no index, no
  journal. Binding the values costs the reader's core, not the writer's.
- The writer resolves the accounts the batch names for the first time (creating members as
  before), records their ids under their numbers in a temporary table of its own connection
  (:class:`StagedWriter`), attaches the batch's file and stores the whole batch with one
  ``INSERT … SELECT`` that joins the numbers to the ids: no Python runs per row. The temporary
  table is written in the batch's transaction, so a batch that fails leaves none of its numbers
  behind.

The ids under the numbers must stay true while the import runs. Whatever moves an account from
one member to another (a merge, an unmerge, a link) or erases it writes the audit log; when the
identity resolver sees the audit log move (its ``epoch``), the writer reads every number's ids
again from the identities table. An erased account's number is marked erased: its activities are
left out and it is forgotten as the owner of targets, as in a one-process import.

A slot is written again only after the writer has stored the batch it held: the ring's
semaphore has one permit per file; the reader takes one before writing a slot, the writer gives
it back when it asks for the next batch. The files live in a temporary folder that the parent
makes before it forks the reader and removes when the import ends, however it ends.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine

from hearth.actions.identities import REF_FIELDS, RefFields
from hearth.actions.ingest_rows import Key, StagedBatch, sqlite_columns
from hearth.domain.activity import ActivityIn
from hearth.errors import HearthError
from hearth.i18n import _
from hearth.store.db import (
    sqlite_attached,
    sqlite_json,
    sqlite_query,
    sqlite_time,
    write_transaction,
)
from hearth.store.tables import activities, identities

SLOTS = 6  # staging files in the ring: batches the reader may have ready ahead of the writer
_ALIAS = "staged"  # the name under which the writer attaches a staging file
_ACCOUNTS = "ingest_accounts"  # the writer's temporary table of account numbers
# A staged row: (platform, source_id, kind, occurred_at, actor number, target_type, target_id,
# owner number, properties) — a wire row with numbers in place of account keys.
StagedRow = tuple[Any, ...]
_SLOT_TABLE = (
    "CREATE TABLE IF NOT EXISTS rows (n INTEGER PRIMARY KEY, platform, source_id, kind, "
    "occurred_at, actor, target_type, target_id, owner, properties)"
)
_SLOT_INSERT = (
    "INSERT INTO rows (platform, source_id, kind, occurred_at, actor, target_type, target_id, "
    "owner, properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# Past this many refs the reader starts numbering afresh (new numbers, never reused), so its
# memory stays bounded however many accounts an import names.
_NUMBERS_REMEMBERED = 200_000


class Stage:
    """The ring of staging files in a temporary folder, and the permits to write them."""

    def __init__(self, slots: int = SLOTS) -> None:
        self.folder = tempfile.mkdtemp(prefix="hearth-ingest-")
        self.paths = [os.path.join(self.folder, f"slot{k}.db") for k in range(slots)]
        self.free = multiprocessing.get_context("fork").Semaphore(slots)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class AccountNumbers:
    """The reader's half of the account numbers: a number for each account, in order of first
    sight, given while the batch's activities are made staged rows.

    What is numbered is a ref (every field of it, :data:`REF_FIELDS`), not just an account: a
    ref that names a known account with other names gets a number of its own, which the writer
    maps to the same ids. So a new number is exactly a ref to send to the writer (whose names
    it records), and one dictionary lookup an actor or owner does both jobs."""

    def __init__(self) -> None:
        self._numbers: dict[RefFields, int] = {}
        self._last = 0

    def rows(
        self, fresh: list[ActivityIn]
    ) -> tuple[list[tuple[Any, ...]], list[RefFields], list[int]]:
        """``fresh`` (validated, without repeats) as staged rows; with the refs first numbered
        in them and their numbers.

        Times become naive UTC text and properties JSON text, as in
        :func:`hearth.actions.ingest_rows.wire_rows`."""
        if len(self._numbers) > _NUMBERS_REMEMBERED:
            self._numbers.clear()
        numbers = self._numbers
        refs: list[RefFields] = []
        new: list[int] = []
        dumps, time_text, ref_fields = sqlite_json, sqlite_time, REF_FIELDS
        staged: list[StagedRow] = []
        append = staged.append
        # (the actor's and the owner's numbering are written out, not a function: this loop
        # runs for every activity of an import, on the reader's core, which sets its pace)
        for activity in fresh:
            actor, owner = activity.actor, activity.target_owner
            if actor is None:
                actor_number = None
            else:
                fields = ref_fields(actor)
                actor_number = numbers.get(fields)
                if actor_number is None:
                    actor_number = numbers[fields] = self._last = self._last + 1
                    refs.append(fields)
                    new.append(actor_number)
            if owner is None:
                owner_number = None
            else:
                fields = ref_fields(owner)
                owner_number = numbers.get(fields)
                if owner_number is None:
                    owner_number = numbers[fields] = self._last = self._last + 1
                    refs.append(fields)
                    new.append(owner_number)
            properties = activity.properties
            append(
                (
                    activity.platform,
                    activity.source_id,
                    activity.kind,
                    time_text(activity.occurred_at),
                    actor_number,
                    activity.target_type,
                    activity.target_id,
                    owner_number,
                    dumps(properties if type(properties) is dict else dict(properties)),
                )
            )
        return staged, refs, new


class SlotWriter:
    """The reader's side of the ring: writes each batch into the next staging file once the
    writer is done with what that file held."""

    def __init__(self, stage: Stage) -> None:
        self._stage = stage
        self._connections: dict[str, sqlite3.Connection] = {}
        self._next = 0

    def write(self, rows: list[StagedRow], wait: Callable[[], None]) -> str:
        """Write staged ``rows`` into the next file; its path. ``wait()`` is called while the
        writer still holds every file (it may end the process if the writer is gone)."""
        while not self._stage.free.acquire(timeout=0.5):
            wait()
        path = self._stage.paths[self._next]
        self._next = (self._next + 1) % len(self._stage.paths)
        try:
            slot = self._connections.get(path)
            if slot is None:
                slot = self._connections[path] = sqlite3.connect(path, isolation_level=None)
                # a scratch file read once by the writer: nothing to recover after a crash
                slot.execute("PRAGMA journal_mode=OFF")
                slot.execute("PRAGMA synchronous=OFF")
                slot.execute(_SLOT_TABLE)
            slot.execute("BEGIN")
            slot.execute("DELETE FROM rows")
            slot.executemany(_SLOT_INSERT, rows)
            slot.execute("COMMIT")
        except sqlite3.Error as error:  # a full disk, most likely
            raise HearthError(
                _(
                    "Could not write the import's staging file {path}: {error}. Free some space "
                    "in the temporary folder (or set TMPDIR to another one) and import again: "
                    "what was stored stays, and nothing is stored twice."
                ).format(path=path, error=error)
            ) from None
        return path


class StagedWriter:
    """The writer's side: one connection held for the rest of the import, with the account
    numbers' ids in a temporary table (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._stack = ExitStack()
        self._conn = self._stack.enter_context(engine.connect())
        driver = self._conn.connection.driver_connection
        assert driver is not None
        self._driver: Any = driver
        self._driver.execute(
            f"CREATE TEMP TABLE {_ACCOUNTS} (n INTEGER PRIMARY KEY, platform TEXT NOT NULL, "
            "external_id TEXT NOT NULL, identity_id INTEGER, member_id INTEGER, "
            "erased INTEGER NOT NULL DEFAULT 0)"
        )
        self.epoch: int | None = None  # the resolver's epoch the ids were read under
        self.any_erased = False  # whether some number is marked erased

    def close(self) -> None:
        """Drop the temporary table and give the connection back (discarded if that fails)."""
        try:
            self._driver.execute(f"DROP TABLE IF EXISTS temp.{_ACCOUNTS}")
        except Exception:
            self._conn.invalidate()
            raise
        finally:
            self._stack.close()

    @contextmanager
    def transaction(self, batch: StagedBatch, *, foreign_keys: bool) -> Iterator[Connection]:
        """A write transaction with ``batch``'s file attached."""
        with (
            sqlite_attached(self._conn, batch.path, _ALIAS),
            write_transaction(self._conn, foreign_keys=foreign_keys),
        ):
            yield self._conn

    def register(
        self, conn: Connection, accounts: list[tuple[int, Key, tuple[int, int] | None]]
    ) -> None:
        """Record new numbers: ``(number, account, (identity_id, member_id))``, or ``None`` in
        place of the ids for an erased account."""
        if not accounts:
            return
        rows: list[tuple[Any, ...]] = []
        for number, (platform, external_id), ids in accounts:
            if ids is None:
                rows.append((number, platform, external_id, None, None, 1))
                self.any_erased = True
            else:
                rows.append((number, platform, external_id, *ids, 0))
        conn.exec_driver_sql(
            f"INSERT INTO temp.{_ACCOUNTS} (n, platform, external_id, identity_id, member_id, "
            "erased) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    def reread(self, conn: Connection) -> list[tuple[int, Key]]:
        """Read every number's ids again from the identities table; the numbers (with their
        accounts, not marked erased) whose account is stored no more."""
        sqlite_query(
            conn,
            f"UPDATE temp.{_ACCOUNTS} SET (identity_id, member_id) = (SELECT id, member_id "
            f"FROM main.{identities.name} AS i WHERE i.platform = {_ACCOUNTS}.platform "
            f"AND i.external_id = {_ACCOUNTS}.external_id)",
        )
        return [
            (number, (platform, external_id))
            for number, platform, external_id in sqlite_query(
                conn,
                f"SELECT n, platform, external_id FROM temp.{_ACCOUNTS} "
                "WHERE identity_id IS NULL AND erased = 0",
            )
        ]

    def mark(self, conn: Connection, numbers: list[tuple[int, tuple[int, int] | None]]) -> None:
        """Set numbers' ids again, ``None`` marking the account erased."""
        for number, ids in numbers:
            if ids is None:
                self.any_erased = True
                sqlite_query(
                    conn,
                    f"UPDATE temp.{_ACCOUNTS} SET identity_id = NULL, member_id = NULL, "
                    "erased = 1 WHERE n = ?",
                    (number,),
                )
            else:
                sqlite_query(
                    conn,
                    f"UPDATE temp.{_ACCOUNTS} SET identity_id = ?, member_id = ? WHERE n = ?",
                    (*ids, number),
                )

    def insert(self, conn: Connection) -> tuple[int, int]:
        """Store the attached batch: ``(stored, erased)``, the activities inserted and those
        left out because their actor is erased (the rest were stored before)."""
        inserted = conn.exec_driver_sql(_staged_insert()).rowcount
        erased = 0
        if self.any_erased:
            erased = sqlite_query(
                conn,
                f"SELECT count(*) FROM {_ALIAS}.rows AS s JOIN temp.{_ACCOUNTS} AS a "
                "ON a.n = s.actor WHERE a.erased = 1",
            )[0][0]
        return inserted, erased


@cache
def _staged_insert() -> str:
    """The batch's rows, ids filled in from the numbers, into the ledger, in the reader's order;
    activities of erased actors left out, erased owners forgotten (their ids are NULL).

    ``OR IGNORE`` leaves out what is stored already (the one constraint a validated row can
    break is the unique ``(platform, source_id)``). ``ON CONFLICT DO NOTHING`` would do the
    same, but SQLite would keep a statement journal for it (every page the statement changes,
    copied to a temporary file first, in case a NOT NULL broke half-way): measured, the import
    of a million activities ran 14% faster without it (docs/benchmarks.md)."""
    values = {
        "actor_identity_id": "a.identity_id",
        "actor_member_id": "a.member_id",
        "target_owner_identity_id": "o.identity_id",
        "target_owner_member_id": "o.member_id",
    }
    columns = sqlite_columns()
    selected = ", ".join(values.get(column, f"s.{column}") for column in columns)
    return (
        f"INSERT OR IGNORE INTO main.{activities.name} ({', '.join(columns)}) SELECT {selected} "
        f"FROM {_ALIAS}.rows AS s "
        f"LEFT JOIN temp.{_ACCOUNTS} AS a ON a.n = s.actor "
        f"LEFT JOIN temp.{_ACCOUNTS} AS o ON o.n = s.owner "
        "WHERE a.erased IS NOT 1 ORDER BY s.n"
    )
