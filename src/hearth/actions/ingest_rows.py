"""Ingest's first half: parsed records made into rows, without touching the database.

:func:`prepare` takes one batch of parsed records and does everything the ingest can do before
it writes: it rejects the bad records, drops the activities the batch repeats, and turns the
rest into *wire rows* — the activities table's row in the form SQLite's driver takes, with each
account still named by its ``(platform, external_id)`` — plus the distinct accounts the batch
names. The writer (:mod:`hearth.actions.ingest`) resolves the accounts to member ids, fills
them in (:func:`bind_ids`) and inserts. Because nothing here needs the database, the work can
run in another process while the writer stores the previous batch
(:mod:`hearth.actions.ingest_pipeline`), which writes its rows, accounts numbered, to staging
files instead (:mod:`hearth.actions.ingest_staging`); :func:`validated` and :func:`unique` are
shared by both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hearth.actions.identities import REF_FIELDS, RefFields
from hearth.domain.activity import ActivityIn, validate_activity
from hearth.errors import RecordError
from hearth.store.db import sqlite_json, sqlite_time
from hearth.store.tables import activities

Parsed = ActivityIn | RecordError
Key = tuple[str, str]  # (platform, source_id), and an account's (platform, external_id)
MAX_KEPT_ERRORS = 1000

# A wire row: (platform, source_id, kind, occurred_at as text, actor account key or None,
# target_type, target_id, target owner account key or None, properties as JSON text).
WireRow = tuple[str, str, str, str, Key | None, str | None, str | None, Key | None, str]
ACTOR, OWNER = 4, 7  # where the account keys are in a wire row
_NO_IDS: tuple[None, None] = (None, None)


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

    def absorb(self, other: IngestReport) -> None:
        """Add ``other``'s counts and errors (as many as this report keeps) to this one."""
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.erased += other.erased
        self.errors.extend(other.errors[: max(0, MAX_KEPT_ERRORS - len(self.errors))])

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "erased": self.erased,
            "errors": [str(e) for e in self.errors],
        }


@dataclass(slots=True, frozen=True)
class StagedBatch:
    """A batch whose rows a reader process wrote to a staging file
    (:mod:`hearth.actions.ingest_staging`) instead of sending them."""

    path: str  # the staging file holding the rows
    rows: int  # how many
    numbers: list[int]  # the number the reader gave each of the batch's refs, in order


@dataclass(slots=True)
class Prepared:
    """One batch made ready for the writer (see the module docstring)."""

    count: int  # the records read, good and bad
    report: IngestReport  # its rejected records and the duplicates within it
    rows: list[WireRow]
    # every distinct account the rows name, with all it says of it (from a reader process:
    # only those it has not sent before)
    refs: list[RefFields]
    staged: StagedBatch | None = None  # from a reader process: the rows are in a staging file


# The activities table's columns that an ingest fills, in the order of the tuples it writes
# (bind_ids) and of the staged INSERT … SELECT; every other column must be the id.
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
def sqlite_columns() -> tuple[str, ...]:
    """The columns an ingest fills (see above), checked against the table once."""
    others = {column.name for column in activities.columns} - set(_SQLITE_COLUMNS)
    if others != {"id"}:
        raise NotImplementedError(
            f"the activities table has columns the SQLite ingest does not fill: {sorted(others)}"
        )
    return _SQLITE_COLUMNS


def prepare(batch: list[Parsed]) -> Prepared:
    """Validate ``batch``, drop what it repeats, and make the rest wire rows."""
    report = IngestReport()
    fresh = unique(validated(batch, report), report)
    rows, refs = wire_rows(fresh)
    return Prepared(len(batch), report, rows, refs)


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


def unique(batch: list[ActivityIn], report: IngestReport) -> list[ActivityIn]:
    """``batch`` without the activities repeated within it (the first of each is kept; the
    others are counted as duplicates)."""
    if len({(a.platform, a.source_id) for a in batch}) == len(batch):
        return batch
    first: dict[Key, ActivityIn] = {}
    for activity in batch:
        first.setdefault((activity.platform, activity.source_id), activity)
    report.duplicates += len(batch) - len(first)
    return list(first.values())


def wire_rows(fresh: list[ActivityIn]) -> tuple[list[WireRow], list[RefFields]]:
    """``fresh`` as wire rows, with the distinct accounts they name (in order of first sight).

    Times become naive UTC text and properties JSON text, the forms SQLAlchemy's column types
    store on SQLite (``UTCDateTime``; :func:`hearth.store.db.sqlite_json`)."""
    refs: dict[RefFields, None] = {}
    dumps, time_text, ref_fields = sqlite_json, sqlite_time, REF_FIELDS
    rows: list[WireRow] = []
    for activity in fresh:
        actor, owner = activity.actor, activity.target_owner
        if actor is None:
            actor_key = None
        else:
            refs[ref_fields(actor)] = None
            actor_key = (actor.platform, actor.external_id)
        if owner is None:
            owner_key = None
        else:
            refs[ref_fields(owner)] = None
            owner_key = (owner.platform, owner.external_id)
        properties = activity.properties
        rows.append(
            (
                activity.platform,
                activity.source_id,
                activity.kind,
                time_text(activity.occurred_at),
                actor_key,
                activity.target_type,
                activity.target_id,
                owner_key,
                dumps(properties if type(properties) is dict else dict(properties)),
            )
        )
    return rows, list(refs)


def bind_ids(rows: list[WireRow], ids: dict[Key, tuple[int, int]]) -> list[tuple[Any, ...]]:
    """``rows`` with each account key replaced by its ``(identity_id, member_id)`` from ``ids``:
    the activities table's columns in the order of :func:`sqlite_columns`."""
    bound: list[tuple[Any, ...]] = []
    append = bound.append
    for platform, source_id, kind, at, actor, target_type, target_id, owner, props in rows:
        actor_identity, actor_member = _NO_IDS if actor is None else ids[actor]
        owner_identity, owner_member = _NO_IDS if owner is None else ids[owner]
        append(
            (
                platform,
                source_id,
                kind,
                at,
                actor_identity,
                actor_member,
                target_type,
                target_id,
                owner_identity,
                owner_member,
                props,
            )
        )
    return bound
