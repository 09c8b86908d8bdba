"""FAQ entries: staff add, edit, remove and import them (audited); anyone looks them up.

Feedback on a suggested answer ("helpful" or "dismiss") is one row per click in
``faq_feedback``; a member's clicks are personal data, anonymised by ``hearth member erase``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection, Engine, case, delete, func, insert, select, update

from hearth.actions import audit
from hearth.actions.context import Caller, require_staff
from hearth.domain.faq import DEFAULT_THRESHOLD, FaqEntry, FaqMatch, match_faq
from hearth.errors import InputError, NotFound, RecordError
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import faq_entries, faq_feedback, members

# Discord's limits: an embed title holds 256 characters and its description 4096.
MAX_QUESTION = 256
MAX_ANSWER = 4000
MAX_KEYWORDS = 30
MAX_KEYWORD = 60
MAX_LINKS = 10


class FaqEntryIn(BaseModel):
    """An entry as staff write it (command line, bot, import file)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: int | None = Field(default=None, ge=1)
    question: str = Field(min_length=3, max_length=MAX_QUESTION)
    answer: str = Field(min_length=1, max_length=MAX_ANSWER)
    keywords: list[str] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    links: list[str] = Field(default_factory=list, max_length=MAX_LINKS)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        cleaned: list[str] = []
        for keyword in value:
            keyword = " ".join(keyword.split())
            if len(keyword) > MAX_KEYWORD:
                raise ValueError(f"keyword longer than {MAX_KEYWORD} characters: {keyword!r}")
            if keyword and keyword.casefold() not in {k.casefold() for k in cleaned}:
                cleaned.append(keyword)
        return cleaned

    @field_validator("links")
    @classmethod
    def _links(cls, value: list[str]) -> list[str]:
        for link in value:
            if not link.startswith(("https://", "http://")) or any(c.isspace() for c in link):
                raise ValueError(f"not a web address: {link!r}")
        return list(dict.fromkeys(value))


@dataclass(frozen=True, slots=True)
class FaqStats:
    helpful: int = 0
    dismissed: int = 0


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int


def _problem(exc: ValidationError) -> tuple[str, str | None]:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    return str(first["msg"]), field


def check_faq_entry(data: Mapping[str, Any]) -> FaqEntryIn:
    """Validate untrusted entry data; an ``InputError`` says which field is wrong."""
    try:
        return FaqEntryIn.model_validate(dict(data))
    except ValidationError as exc:
        problem, field = _problem(exc)
        raise InputError(
            _("FAQ entry, field '{field}': {problem}").format(field=field, problem=problem)
        ) from exc


def _entry(row: Any) -> FaqEntry:
    return FaqEntry(
        id=int(row.id),
        question=row.question,
        answer=row.answer,
        keywords=tuple(row.keywords or ()),
        links=tuple(row.links or ()),
    )


def _get(conn: Connection, entry_id: int) -> FaqEntry:
    row = conn.execute(select(faq_entries).where(faq_entries.c.id == entry_id)).first()
    if row is None:
        raise NotFound(_("There is no FAQ entry {id}.").format(id=entry_id))
    return _entry(row)


def _insert(conn: Connection, data: FaqEntryIn, now: datetime) -> int:
    return int(
        conn.execute(
            insert(faq_entries)
            .values(
                question=data.question,
                answer=data.answer,
                keywords=data.keywords,
                links=data.links,
                created_at=now,
                updated_at=now,
            )
            .returning(faq_entries.c.id)
        ).scalar_one()
    )


def do_add_faq(
    engine: Engine,
    caller: Caller,
    question: str,
    answer: str,
    keywords: Iterable[str] = (),
    links: Iterable[str] = (),
) -> FaqEntry:
    """Add an entry (staff only); returns it with its id."""
    require_staff(caller)
    data = check_faq_entry(
        {"question": question, "answer": answer, "keywords": list(keywords), "links": list(links)}
    )
    with engine.begin() as conn:
        entry_id = _insert(conn, data, datetime.now(UTC))
        audit.record(conn, caller, "faq.added", "faq_entry", entry_id, question=data.question)
        return _get(conn, entry_id)


def do_update_faq(
    engine: Engine,
    caller: Caller,
    entry_id: int,
    *,
    question: str | None = None,
    answer: str | None = None,
    keywords: Iterable[str] | None = None,
    links: Iterable[str] | None = None,
) -> FaqEntry:
    """Change some fields of an entry (staff only); returns the entry as it now is."""
    require_staff(caller)
    with engine.begin() as conn:
        before = _get(conn, entry_id)
        data = check_faq_entry(
            {
                "question": before.question if question is None else question,
                "answer": before.answer if answer is None else answer,
                "keywords": list(before.keywords if keywords is None else keywords),
                "links": list(before.links if links is None else links),
            }
        )
        changed = _changes(before, data)
        if changed:
            conn.execute(
                update(faq_entries)
                .where(faq_entries.c.id == entry_id)
                .values(**{k: v for k, (_old, v) in changed.items()}, updated_at=datetime.now(UTC))
            )
            audit.record(
                conn,
                caller,
                "faq.updated",
                "faq_entry",
                entry_id,
                before={k: old for k, (old, _new) in changed.items()},
                after={k: new for k, (_old, new) in changed.items()},
            )
        return _get(conn, entry_id)


def _changes(before: FaqEntry, data: FaqEntryIn) -> dict[str, tuple[Any, Any]]:
    pairs = {
        "question": (before.question, data.question),
        "answer": (before.answer, data.answer),
        "keywords": (list(before.keywords), data.keywords),
        "links": (list(before.links), data.links),
    }
    return {k: v for k, v in pairs.items() if v[0] != v[1]}


def do_remove_faq(engine: Engine, caller: Caller, entry_id: int) -> None:
    """Remove an entry and its feedback (staff only); the audit log keeps its text."""
    require_staff(caller)
    with engine.begin() as conn:
        entry = _get(conn, entry_id)
        feedback = conn.execute(
            delete(faq_feedback).where(faq_feedback.c.entry_id == entry_id)
        ).rowcount
        conn.execute(delete(faq_entries).where(faq_entries.c.id == entry_id))
        audit.record(
            conn,
            caller,
            "faq.removed",
            "faq_entry",
            entry_id,
            question=entry.question,
            answer=entry.answer,
            keywords=list(entry.keywords),
            links=list(entry.links),
            feedback_deleted=feedback,
        )


def check_import_faq(
    engine: Engine, caller: Caller, records: Sequence[Mapping[str, Any]], *, source: str = ""
) -> ImportReport:
    """Add or update many entries at once (staff only), all or nothing.

    A record with an ``id`` updates that entry; one without updates the entry with the same
    question (ignoring case and spacing) or is added. Importing the same file twice changes
    nothing the second time. A bad record raises ``RecordError`` naming it; nothing is written.
    """
    require_staff(caller)
    parsed: list[FaqEntryIn] = []
    for n, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise RecordError(_("expected a mapping of fields"), source=source, element=f"#{n}")
        try:
            parsed.append(FaqEntryIn.model_validate(dict(record)))
        except ValidationError as exc:
            problem, field = _problem(exc)
            raise RecordError(problem, source=source, element=f"#{n}", field=field) from exc
    added = updated = unchanged = 0
    now = datetime.now(UTC)
    with engine.begin() as conn:
        existing = {e.id: e for e in map(_entry, conn.execute(select(faq_entries)))}
        by_question = {" ".join(e.question.casefold().split()): e for e in existing.values()}
        for n, data in enumerate(parsed, start=1):
            if data.id is not None:
                before = existing.get(data.id)
                if before is None:
                    raise RecordError(
                        _("there is no FAQ entry {id}").format(id=data.id),
                        source=source,
                        element=f"#{n}",
                        field="id",
                    )
            else:
                before = by_question.get(" ".join(data.question.casefold().split()))
            if before is None:
                entry_id = _insert(conn, data, now)
                audit.record(
                    conn, caller, "faq.added", "faq_entry", entry_id, question=data.question
                )
                added += 1
                continue
            changed = _changes(before, data)
            if not changed:
                unchanged += 1
                continue
            conn.execute(
                update(faq_entries)
                .where(faq_entries.c.id == before.id)
                .values(**{k: v for k, (_old, v) in changed.items()}, updated_at=now)
            )
            audit.record(
                conn,
                caller,
                "faq.updated",
                "faq_entry",
                before.id,
                before={k: old for k, (old, _new) in changed.items()},
                after={k: new for k, (_old, new) in changed.items()},
            )
            updated += 1
    return ImportReport(added=added, updated=updated, unchanged=unchanged)


def access_faq_entries(engine: Engine) -> list[FaqEntry]:
    """Every entry, by id (public: FAQ entries are not member data)."""
    with engine.connect() as conn:
        return [_entry(r) for r in conn.execute(select(faq_entries).order_by(faq_entries.c.id))]


def access_faq_entry(engine: Engine, entry_id: int) -> FaqEntry:
    with engine.connect() as conn:
        return _get(conn, entry_id)


def access_faq_lookup(
    engine: Engine, text: str, *, limit: int = 3, threshold: float = DEFAULT_THRESHOLD
) -> list[FaqMatch]:
    """The entries that answer ``text``, best first (see ``hearth.domain.faq``)."""
    return match_faq(text, access_faq_entries(engine), limit=limit, threshold=threshold)


def access_faq_stats(engine: Engine) -> dict[int, FaqStats]:
    """Helpful and dismissed counts per entry id (entries without feedback are left out)."""
    helpful = func.sum(case((faq_feedback.c.helpful, 1), else_=0))
    dismissed = func.sum(case((faq_feedback.c.helpful, 0), else_=1))
    query = select(faq_feedback.c.entry_id, helpful, dismissed).group_by(faq_feedback.c.entry_id)
    with engine.connect() as conn:
        return {int(r[0]): FaqStats(int(r[1]), int(r[2])) for r in conn.execute(query)}


def do_record_faq_feedback(
    engine: Engine, entry_id: int, helpful: bool, member_id: int | None = None
) -> None:
    """Record that a suggested answer was marked helpful (or dismissed), by whom if known."""
    with engine.begin() as conn:
        _get(conn, entry_id)
        if (
            member_id is not None
            and conn.scalar(select(members.c.id).where(members.c.id == member_id)) is None
        ):
            raise NotFound(_("There is no member {id}.").format(id=member_id))
        conn.execute(
            insert(faq_feedback).values(
                entry_id=entry_id, member_id=member_id, helpful=helpful, at=datetime.now(UTC)
            )
        )


def access_faq_feedback(
    engine: Engine, caller: Caller, member_id: int | None = None
) -> list[dict[str, Any]]:
    """Feedback rows (staff; or a member's own with ``member_id``, with that of the members
    merged into it), for export."""
    query = select(
        faq_feedback.c.id,
        faq_feedback.c.entry_id,
        faq_feedback.c.member_id,
        faq_feedback.c.helpful,
        faq_feedback.c.at,
    ).order_by(faq_feedback.c.id)
    if member_id is not None:
        query = query.where(faq_feedback.c.member_id.in_(merges.person_ids(member_id)))
    with engine.connect() as conn:
        if not caller.is_staff and not merges.same_person(conn, caller.member_id, member_id):
            require_staff(caller)
        return [dict(r) for r in conn.execute(query).mappings()]
