"""Activities: the immutable rows of the community ledger, as plain data.

An :class:`ActivityIn` is what a connector or importer hands to the ledger. It names the acting
identity and, optionally, a target (a thread, post, issue...) and the target's owner by their
platform ids; the ledger resolves those to members when it stores the activity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hearth.domain.kinds import get_kind

MAX_SOURCE_ID = 255
MAX_PLATFORM = 32


@dataclass(frozen=True, slots=True)
class IdentityRef:
    """An account on one platform, as the platform names it."""

    platform: str
    external_id: str
    handle: str | None = None
    email: str | None = None
    display_name: str | None = None
    is_bot: bool = False
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActivityIn:
    """One thing that happened, ready to be stored in the ledger."""

    platform: str
    source_id: str
    kind: str
    occurred_at: datetime
    actor: IdentityRef | None = None
    target_type: str | None = None
    target_id: str | None = None
    target_owner: IdentityRef | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` as a tz-aware UTC datetime; naive values are taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def validate_activity(activity: ActivityIn) -> list[str]:
    """Problems with ``activity`` as ``"field: what was expected"`` strings (empty when valid)."""
    if _plainly_valid(activity):
        return []
    return _problems(activity)


def _problems(activity: ActivityIn) -> list[str]:
    problems: list[str] = []
    if not activity.platform or len(activity.platform) > MAX_PLATFORM:
        problems.append(f"platform: expected a name of 1 to {MAX_PLATFORM} characters")
    if not activity.source_id or len(activity.source_id) > MAX_SOURCE_ID:
        problems.append(f"source_id: expected a non-empty id of at most {MAX_SOURCE_ID} characters")
    kind = get_kind(activity.kind)
    if kind is None:
        problems.append(f"kind: '{activity.kind}' is not a registered activity kind")
    if not isinstance(activity.occurred_at, datetime):
        problems.append("occurred_at: expected an ISO 8601 date and time")
    if activity.actor is not None and not activity.actor.external_id:
        problems.append("actor.external_id: expected a non-empty id")
    if activity.target_owner is not None and not activity.target_owner.external_id:
        problems.append("target_owner.external_id: expected a non-empty id")
    if kind is not None and kind.needs_actor and activity.actor is None:
        problems.append(f"actor: kind '{activity.kind}' needs an acting identity")
    return problems


def _plainly_valid(activity: ActivityIn) -> bool:
    """The checks of :func:`validate_activity` in one expression, for the common case of an
    activity that passes them all (a bulk import makes a million of these calls); False sends
    the activity through the full checks, which say what is wrong."""
    platform, source_id, actor, owner = (
        activity.platform,
        activity.source_id,
        activity.actor,
        activity.target_owner,
    )
    kind = get_kind(activity.kind)
    return bool(
        kind is not None
        and platform
        and len(platform) <= MAX_PLATFORM
        and source_id
        and len(source_id) <= MAX_SOURCE_ID
        and isinstance(activity.occurred_at, datetime)
        and (actor.external_id if actor is not None else not kind.needs_actor)
        and (owner is None or owner.external_id)
    )
