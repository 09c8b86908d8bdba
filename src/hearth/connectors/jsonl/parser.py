"""Parse a JSON Lines file of activities, one per line, into ledger records.

Each bad line becomes a :class:`RecordError` naming the file, the line and the field, so the
ingest can report it and keep the good lines around it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hearth.connectors.validation import first_problem
from hearth.domain.activity import ActivityIn, IdentityRef, validate_activity
from hearth.errors import RecordError
from hearth.i18n import _


class _Identity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: str | None = None
    external_id: str = Field(min_length=1, coerce_numbers_to_str=True)
    handle: str | None = None
    email: str | None = None
    display_name: str | None = None
    is_bot: bool = False


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    id: str = Field(coerce_numbers_to_str=True)
    owner: _Identity | None = None


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: str = Field(min_length=1, max_length=32)
    source_id: str = Field(min_length=1, max_length=255, coerce_numbers_to_str=True)
    kind: str
    occurred_at: datetime
    actor: _Identity | None = None
    target: _Target | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


def _ref(identity: _Identity | None, platform: str) -> IdentityRef | None:
    if identity is None:
        return None
    return IdentityRef(
        platform=identity.platform or platform,
        external_id=identity.external_id,
        handle=identity.handle,
        email=identity.email,
        display_name=identity.display_name,
        is_bot=identity.is_bot,
    )


def parse_line(text: str, *, source: str, line: int) -> ActivityIn | RecordError:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return RecordError(
            _("not valid JSON ({problem} at column {column})").format(
                problem=exc.msg, column=exc.colno
            ),
            source=source,
            line=line,
        )
    if not isinstance(data, dict):
        return RecordError(_("expected a JSON object"), source=source, line=line)
    try:
        parsed = _Line.model_validate(data)
    except ValidationError as exc:
        problem, field = first_problem(exc)
        return RecordError(problem, source=source, line=line, field=field)
    if parsed.occurred_at.tzinfo is None:
        return RecordError(
            _("expected a date and time with a time zone, such as 2024-05-01T12:00:00Z"),
            source=source,
            line=line,
            field="occurred_at",
        )
    target = parsed.target
    activity = ActivityIn(
        platform=parsed.platform,
        source_id=parsed.source_id,
        kind=parsed.kind,
        occurred_at=parsed.occurred_at,
        actor=_ref(parsed.actor, parsed.platform),
        target_type=target.type if target else None,
        target_id=target.id if target else None,
        target_owner=_ref(target.owner, parsed.platform) if target else None,
        properties=parsed.properties,
    )
    problems = validate_activity(activity)
    if problems:
        field, _sep, problem = problems[0].partition(": ")
        return RecordError(problem, source=source, line=line, field=field)
    return activity


def parse_stream(stream: IO[str], *, source: str) -> Iterator[ActivityIn | RecordError]:
    for number, text in enumerate(stream, start=1):
        if text.strip():
            yield parse_line(text, source=source, line=number)


def parse_file(path: Path) -> Iterator[ActivityIn | RecordError]:
    """Records of the JSON Lines file at ``path``, streamed line by line."""
    with path.open(encoding="utf-8", errors="strict") as stream:
        try:
            yield from parse_stream(stream, source=str(path))
        except UnicodeDecodeError as exc:
            yield RecordError(f"not UTF-8 text ({exc.reason})", source=str(path))


def dump_activity(activity: ActivityIn) -> str:
    """The JSON Lines form of ``activity`` (the inverse of :func:`parse_line`)."""

    def ident(ref: IdentityRef | None) -> dict[str, Any] | None:
        if ref is None:
            return None
        out: dict[str, Any] = {"external_id": ref.external_id}
        if ref.platform != activity.platform:
            out["platform"] = ref.platform
        for key in ("handle", "email", "display_name"):
            if getattr(ref, key):
                out[key] = getattr(ref, key)
        if ref.is_bot:
            out["is_bot"] = True
        return out

    line: dict[str, Any] = {
        "platform": activity.platform,
        "source_id": activity.source_id,
        "kind": activity.kind,
        "occurred_at": activity.occurred_at.isoformat(),
    }
    if activity.actor is not None:
        line["actor"] = ident(activity.actor)
    if activity.target_type is not None:
        target: dict[str, Any] = {"type": activity.target_type, "id": activity.target_id}
        if activity.target_owner is not None:
            target["owner"] = ident(activity.target_owner)
        line["target"] = target
    if activity.properties:
        line["properties"] = dict(activity.properties)
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))
