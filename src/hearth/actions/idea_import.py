"""Importing suggestions made elsewhere (a Stack Exchange meta site's feature requests).

An importer hands :class:`ImportedSuggestion` records to :func:`do_import_suggestions`. Each
becomes a suggestion (``origin`` and ``source_id`` name it, so importing again updates it and
adds nothing twice) with its status and votes, and a ``suggestion.posted`` activity on the
source's platform by its author's identity (created on first sight, as the ledger does). The
votes are stored on the suggestion, keyed by the source's vote ids; they are not written to the
ledger again as ``suggestion.voted`` — importing the dump itself (``hearth import
stackexchange``) records them as ``vote.cast``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from hearth.actions import audit
from hearth.actions.context import Caller, require_staff
from hearth.actions.ideas import ORIGINS
from hearth.actions.ingest import ingest
from hearth.domain import voting
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import InputError
from hearth.i18n import _
from hearth.store.db import dialect_insert
from hearth.store.tables import identities, suggestion_votes, suggestions


@dataclass(slots=True)
class ImportedSuggestion:
    origin: str
    source_id: str
    title: str
    body: str
    author: IdentityRef | None
    created_at: datetime
    status: str = voting.OPEN
    reason: str | None = None
    votes: list[tuple[str, int, datetime]] = field(default_factory=list)  # (voter, ±1, when)
    stated_score: int | None = None  # the score the source states, for checking


@dataclass(slots=True)
class ImportReport:
    suggestions: int = 0
    new: int = 0
    votes: int = 0
    mismatched: list[str] = field(default_factory=list)  # source ids whose score differs


def do_import_suggestions(
    engine: Engine, caller: Caller, records: Iterable[ImportedSuggestion]
) -> ImportReport:
    """Store imported suggestions with their status and votes (staff or operators)."""
    require_staff(caller)
    batch = list(records)
    report = ImportReport()
    for record in batch:
        if record.origin not in ORIGINS or not voting.is_status(record.status):
            raise InputError(_("Unknown origin or status in {id}.").format(id=record.source_id))
    ingest(
        engine,
        [
            ActivityIn(
                platform=r.author.platform,
                source_id=f"suggestion:{r.source_id}",
                kind="suggestion.posted",
                occurred_at=r.created_at,
                actor=r.author,
                target_type="suggestion",
                target_id=r.source_id,
                target_owner=r.author,
                properties={"title": r.title, "origin": r.origin},
            )
            for r in batch
            if r.author is not None
        ],
    )
    with engine.begin() as conn:
        for record in batch:
            author_id = None
            if record.author is not None:
                author_id = conn.scalar(
                    select(identities.c.member_id).where(
                        identities.c.platform == record.author.platform,
                        identities.c.external_id == record.author.external_id,
                    )
                )
            values = {
                "title": record.title,
                "body": record.body,
                "author_member_id": author_id,
                "status": record.status,
                "status_reason": record.reason,
                "community": True,
            }
            existing = conn.scalar(
                select(suggestions.c.id).where(
                    suggestions.c.origin == record.origin,
                    suggestions.c.source_id == record.source_id,
                )
            )
            if existing is None:
                existing = conn.execute(
                    insert(suggestions)
                    .values(
                        origin=record.origin,
                        source_id=record.source_id,
                        created_at=record.created_at,
                        **values,
                    )
                    .returning(suggestions.c.id)
                ).scalar_one()
                report.new += 1
            else:
                conn.execute(update(suggestions).where(suggestions.c.id == existing).values(values))
            report.suggestions += 1
            if record.votes:
                conn.execute(
                    dialect_insert(engine.dialect.name, suggestion_votes)
                    .values(
                        [
                            {
                                "suggestion_id": existing,
                                "voter": f"{record.origin}:{voter}",
                                "member_id": None,
                                "value": value,
                                "at": at,
                            }
                            for voter, value, at in record.votes
                        ]
                    )
                    .on_conflict_do_nothing()
                )
                report.votes += len(record.votes)
            if record.stated_score is not None:
                score = voting.tally(value for _voter, value, _at in record.votes).score
                if score != record.stated_score:
                    report.mismatched.append(record.source_id)
        audit.record(
            conn, caller, "suggestion.imported", "suggestion", "-", count=report.suggestions
        )
    return report
