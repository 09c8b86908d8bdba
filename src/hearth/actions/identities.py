"""Resolving platform accounts to members, creating both on first sight.

Used inside an ingest transaction: :class:`IdentityResolver` keeps a bounded cache of
``(platform, external_id) -> (identity_id, member_id)`` so a bulk import touches the identity
table once per new account, not once per activity. It also remembers the refs it has fully
recorded (account known, every name already stored), so the refs a bulk import repeats on most
activities cost one set lookup.

The cache lasts across transactions, so it must notice when another writer changed who an
account belongs to. Every such change (merge, unmerge, link, erasure) writes the audit log in
its own transaction, so each :meth:`IdentityResolver.resolve` first compares the audit log's
newest id with the one the cache was filled under, and starts afresh when it moved.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import fields
from datetime import UTC, datetime
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Integer,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)

from hearth.actions.context import Caller
from hearth.actions.members import flag_in
from hearth.domain.activity import IdentityRef
from hearth.domain.members import display_name_for, merged_names
from hearth.store.db import sqlite_json, sqlite_query, sqlite_time
from hearth.store.tables import audit_log, identities, members
from hearth.store.types import UTCDateTime

Key = tuple[str, str]
CACHE_LIMIT = 200_000

# Statements built once: building and compiling them on every call cost about 2 ms a webhook
# delivery. The ids are one expanding parameter, in chunks a SQLite build always accepts.
_LOAD = select(
    identities.c.external_id, identities.c.id, identities.c.member_id, identities.c.names
).where(
    identities.c.platform == bindparam("platform"),
    identities.c.external_id.in_(bindparam("external_ids", expanding=True)),
)
_LOAD_CHUNK = 5000


@cache
def _sqlite_load(count: int) -> str:
    return (
        f"SELECT external_id, id, member_id, names FROM {identities.name} "
        f"WHERE platform = ? AND external_id IN ({', '.join('?' * count)})"
    )


# a handle or e-mail seen with new names replaces the stored one; None keeps it
_RECORD_NAMES = (
    update(identities)
    .where(identities.c.id == bindparam("identity_id"))
    .values(
        names=bindparam("new_names", type_=identities.c.names.type),
        handle=func.coalesce(
            bindparam("new_handle", type_=identities.c.handle.type), identities.c.handle
        ),
        email=func.coalesce(
            bindparam("new_email", type_=identities.c.email.type), identities.c.email
        ),
    )
)
_CREATE_LOCK = select(func.pg_advisory_xact_lock(0x4E4541525448))  # "HEARTH"
_INSERT = {table.name: insert(table) for table in (members, identities)}
_MAX_ID = {table.name: select(func.max(table.c.id)) for table in (members, identities)}
_LAST_AUDIT = select(func.max(audit_log.c.id))
_SQLITE_LAST_AUDIT = f"SELECT max(id) FROM {audit_log.name}"

# Every field of a ref as one plain tuple, built in C: the form in which the settled refs are
# kept, because hashing and comparing tuples costs a fraction of the dataclass's own __hash__
# and __eq__ (Python functions), and a bulk import does it for every actor and owner.
REF_FIELDS = attrgetter(*(f.name for f in fields(IdentityRef)))
_IS_BOT = [f.name for f in fields(IdentityRef)].index("is_bot")
RefFields = tuple[Any, ...]  # an IdentityRef's fields, in order: IdentityRef(*ref_fields)


class IdentityResolver:
    """Maps identity refs to ``(identity_id, member_id)``, creating members as needed."""

    def __init__(self) -> None:
        self._ids: dict[Key, tuple[int, int]] = {}
        self._names: dict[Key, tuple[str, ...]] = {}
        # refs (as REF_FIELDS tuples) whose account is in _ids and whose every name is in
        # _names: nothing to do
        self._settled: set[tuple[Any, ...]] = set()
        self._audit_mark: int | None = None  # the audit log's newest id when the cache filled
        # One more each time the audit log is seen to have moved: whoever keeps ids the
        # resolver gave out (a staged import's account map) reads them again when it changes.
        self.epoch = 0

    def forget(self) -> None:
        """Drop the cache (after merges, or when another writer may have moved identities)."""
        self._ids.clear()
        self._names.clear()
        self._settled.clear()

    def _check_fresh(self, conn: Connection) -> None:
        """Forget the cache if the audit log moved since it was filled (see the module
        docstring): one indexed read per batch."""
        if conn.dialect.name == "sqlite":
            mark = sqlite_query(conn, _SQLITE_LAST_AUDIT)[0][0]
        else:
            mark = conn.scalar(_LAST_AUDIT)
        if mark != self._audit_mark:
            if self._ids:
                self.forget()
            self._audit_mark = mark
            self.epoch += 1

    def get(self, ref: IdentityRef) -> tuple[int, int]:
        return self._ids[(ref.platform, ref.external_id)]

    @property
    def ids(self) -> dict[Key, tuple[int, int]]:
        """``(platform, external_id) -> (identity_id, member_id)`` of every resolved account
        (read it, don't change it: the fast form of :meth:`get` for a whole batch)."""
        return self._ids

    def resolve(self, conn: Connection, refs: Iterable[IdentityRef]) -> None:
        """Make sure every ref in ``refs`` is known, stored and has its names recorded."""
        self.resolve_fields(conn, list(map(REF_FIELDS, refs)))

    def resolve_fields(self, conn: Connection, ref_fields: list[RefFields]) -> None:
        """:meth:`resolve` for refs given as field tuples (:data:`REF_FIELDS`): the form in
        which a prepared batch names its accounts (``hearth.actions.ingest_rows``)."""
        if len(self._ids) > CACHE_LIMIT or len(self._settled) > CACHE_LIMIT:
            self.forget()
        self._check_fresh(conn)
        settled = self._settled
        unsettled = set(ref_fields) - settled
        if not unsettled:
            return
        # Only accounts with a ref not seen before need work; their settled refs still count
        # (which ref is richest, which names were seen), so the loop below sees all of them.
        open_keys = {(platform, external_id) for platform, external_id, *_ in unsettled}
        wanted: dict[Key, IdentityRef] = {}
        seen_names: dict[Key, list[str]] = {}
        for values in ref_fields:
            key = (values[0], values[1])
            if key not in open_keys:
                continue
            ref = IdentityRef(*values)
            known = wanted.get(key)
            if known is None or _richer(ref, known):
                wanted[key] = ref
            seen_names[key] = merged_names(seen_names.get(key, []), *_names_of(ref))
        # accounts a ref calls a bot: one named before without saying so becomes a bot now
        bots = {(values[0], values[1]) for values in unsettled if values[_IS_BOT]}
        created: list[IdentityRef] = []
        missing = [key for key in wanted if key not in self._ids]
        if missing:
            self._load(conn, missing)
            new = [wanted[key] for key in missing if key not in self._ids]
            if new and conn.dialect.name == "postgresql":
                # Two transactions may both have found an account missing. SQLite lets one
                # writer in at a time (BEGIN IMMEDIATE); on PostgreSQL, creating identities
                # takes a transaction-scoped lock, then looks again for what another writer
                # committed meanwhile.
                conn.execute(_CREATE_LOCK)
                self._load(conn, [(ref.platform, ref.external_id) for ref in new])
                new = [ref for ref in new if (ref.platform, ref.external_id) not in self._ids]
            if new:
                self._create(conn, new, bots)
                created = new
        if bots:
            self._flag_bots(conn, bots - {(ref.platform, ref.external_id) for ref in created})
        self._record_names(conn, wanted, seen_names)
        settled.update(unsettled)

    def load(self, conn: Connection, keys: Iterable[Key]) -> None:
        """Read back the stored accounts among ``keys`` that the cache does not hold (accounts
        resolved before, by key alone: nothing is created or renamed)."""
        self._check_fresh(conn)
        missing = [key for key in keys if key not in self._ids]
        if missing:
            self._load(conn, missing)

    def _load(self, conn: Connection, keys: list[Key]) -> None:
        by_platform: dict[str, list[str]] = {}
        for platform, external_id in keys:
            by_platform.setdefault(platform, []).append(external_id)
        for platform, external_ids in by_platform.items():
            for start in range(0, len(external_ids), _LOAD_CHUNK):
                chunk = external_ids[start : start + _LOAD_CHUNK]
                for external_id, identity_id, member_id, names in self._select(
                    conn, platform, chunk
                ):
                    self._ids[(platform, external_id)] = (identity_id, member_id)
                    self._names[(platform, external_id)] = tuple(names or ())

    @staticmethod
    def _select(conn: Connection, platform: str, external_ids: list[str]) -> list[Any]:
        if conn.dialect.name != "sqlite":
            return list(conn.execute(_LOAD, {"platform": platform, "external_ids": external_ids}))
        # straight from the driver (about 80 µs less a call): names is JSON text on SQLite
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(_sqlite_load(len(external_ids)), (platform, *external_ids))
            return [(e, i, m, json.loads(n) if n else None) for e, i, m, n in cursor]
        finally:
            cursor.close()

    def _create(self, conn: Connection, refs: list[IdentityRef], bots: set[Key]) -> None:
        now = datetime.now(UTC)
        member_ids = _insert_returning_ids(
            conn,
            members,
            [
                {
                    "display_name": display_name_for(ref)[:200],
                    "is_bot": ref.is_bot or (ref.platform, ref.external_id) in bots,
                    "is_staff": False,
                    "created_at": now,
                }
                for ref in refs
            ],
        )
        identity_ids = _insert_returning_ids(
            conn,
            identities,
            [
                {
                    "platform": ref.platform,
                    "external_id": ref.external_id,
                    "handle": ref.handle,
                    "email": ref.email.lower() if ref.email else None,
                    "names": _names_of(ref),
                    "profile": {},
                    "member_id": member_id,
                    "created_at": now,
                }
                for ref, member_id in zip(refs, member_ids, strict=True)
            ],
        )
        for ref, identity_id, member_id in zip(refs, identity_ids, member_ids, strict=True):
            key = (ref.platform, ref.external_id)
            self._ids[key] = (identity_id, member_id)
            self._names[key] = tuple(_names_of(ref))

    def _flag_bots(self, conn: Connection, keys: set[Key]) -> None:
        """Flag as bots the live members of stored accounts that a ref now calls a bot, unless
        someone set the member's bot flag before (staff who cleared it decided)."""
        platform_of = {self._ids[key][1]: key[0] for key in keys}
        if not platform_of:
            return
        unflagged = set(
            conn.scalars(
                select(members.c.id).where(
                    members.c.id.in_(platform_of),
                    ~members.c.is_bot,
                    members.c.merged_into.is_(None),
                    members.c.erased_at.is_(None),
                )
            )
        )
        if not unflagged:
            return
        for subject_id, details in conn.execute(
            select(audit_log.c.subject_id, audit_log.c.details).where(
                audit_log.c.action == "member.flagged",
                audit_log.c.subject_type == "member",
                audit_log.c.subject_id.in_([str(member_id) for member_id in unflagged]),
            )
        ):
            if "is_bot" in (details or {}).get("after", {}):
                unflagged.discard(int(subject_id))
        for member_id in sorted(unflagged):
            platform = platform_of[member_id]
            caller = Caller(name=f"ingest:{platform}", is_staff=True)
            flag_in(conn, caller, member_id, {"is_bot": True}, reason=f"a bot on {platform}")

    def _record_names(
        self, conn: Connection, refs: dict[Key, IdentityRef], seen: dict[Key, list[str]]
    ) -> None:
        changes: list[dict[str, object]] = []
        for key, ref in refs.items():
            known = self._names.get(key, ())
            names = merged_names(list(known), *seen[key])
            if len(names) == len(known):
                continue
            identity_id, _member = self._ids[key]
            changes.append(
                {
                    "identity_id": identity_id,
                    "new_names": names,
                    "new_handle": ref.handle or None,
                    "new_email": ref.email.lower() if ref.email else None,
                }
            )
            self._names[key] = tuple(names)
        if changes:
            conn.execute(_RECORD_NAMES, changes)


def _insert_returning_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``table`` and return their new ids, in the order of ``rows``.

    PostgreSQL returns them (in batches). SQLite would return them one row per statement, so
    there the rows go in with one ``executemany`` and their ids are read back: SQLite gives each
    new row one more than the largest id before it, and the open write transaction keeps any
    other writer out, so the new ids are the last ``len(rows)`` ones.
    """
    id_column = table.c.id
    if conn.dialect.name != "sqlite":
        return list(
            conn.scalars(insert(table).returning(id_column, sort_by_parameter_order=True), rows)
        )
    raw = _sqlite_insert(table, tuple(rows[0]))
    if raw is None:
        conn.execute(_INSERT[table.name], rows)
    else:
        sql, converters = raw
        conn.exec_driver_sql(
            sql,
            [
                tuple(
                    convert(value) for convert, value in zip(converters, row.values(), strict=True)
                )
                for row in rows
            ],
        )
    last = conn.scalar(_MAX_ID[table.name])
    assert last is not None
    return list(range(last - len(rows) + 1, last + 1))


def _same(value: Any) -> Any:
    return value


@cache
def _sqlite_insert(
    table: Table, columns: tuple[str, ...]
) -> tuple[str, tuple[Callable[[Any], Any], ...]] | None:
    """A plain INSERT of ``columns`` into ``table`` for the SQLite driver, with each value's
    conversion to the form SQLAlchemy stores; None (use SQLAlchemy) when the table has another
    column that is not the id and that SQLAlchemy might fill (a default, NOT NULL)."""
    for column in table.columns:
        if column.name in columns or column.primary_key:
            continue
        if not column.nullable or column.default is not None or column.server_default is not None:
            return None
    converters: list[Callable[[Any], Any]] = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, UTCDateTime):
            converters.append(sqlite_time)
        elif isinstance(column_type, JSON) or isinstance(getattr(column_type, "impl", None), JSON):
            converters.append(sqlite_json)
        elif isinstance(column_type, Integer | String | Boolean):
            converters.append(_same)
        else:
            return None
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    return sql, tuple(converters)


def _names_of(ref: IdentityRef) -> list[str]:
    return merged_names([], ref.display_name, ref.handle, *ref.other_names)


def _richer(ref: IdentityRef, other: IdentityRef) -> bool:
    return len(_names_of(ref)) > len(_names_of(other)) or (bool(ref.email) and not other.email)
