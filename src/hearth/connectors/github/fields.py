"""Reading GitHub JSON objects with precise errors: which field is missing or wrong.

Webhook payloads and REST responses are untrusted input. The readers here return the value of
one field or raise :class:`~hearth.errors.InputError` naming its path (``pull_request.user.id:
expected a number``), so a payload Hearth cannot understand is reported, not guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hearth.domain.activity import IdentityRef, ensure_utc
from hearth.errors import InputError
from hearth.i18n import _

PLATFORM = "github"
# GitHub shows the content of deleted accounts as written by "ghost" (user id 10137); an API
# object whose user is null, empty or absent is credited to that same account.
GHOST = IdentityRef(PLATFORM, "10137", handle="ghost")

Json = Mapping[str, Any]


def path(where: str, key: str) -> str:
    """``where.key``, or ``key`` at the top level."""
    return f"{where}.{key}" if where else key


def wrong(where: str, key: str, expected: str, value: Any) -> InputError:
    """The error for field ``where.key`` that should have been ``expected``."""
    if value is None:
        return InputError(
            _("{field}: missing; expected {expected}").format(
                field=path(where, key), expected=expected
            )
        )
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return InputError(
        _("{field}: expected {expected}, got {value}").format(
            field=path(where, key), expected=expected, value=shown
        )
    )


def obj(parent: Json, key: str, where: str = "") -> Json:
    """The object (JSON dict) at ``parent[key]``."""
    value = parent.get(key)
    if not isinstance(value, Mapping):
        raise wrong(where, key, _("an object"), value)
    return value


def integer(parent: Json, key: str, where: str = "") -> int:
    """The whole number at ``parent[key]`` (booleans are not numbers)."""
    value = parent.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong(where, key, _("a whole number"), value)
    return value


def text(parent: Json, key: str, where: str = "") -> str:
    """The non-empty string at ``parent[key]``."""
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise wrong(where, key, _("a non-empty string"), value)
    return value


def optional_text(parent: Json, key: str) -> str | None:
    """The string at ``parent[key]``, or None when it is absent, null or not a string."""
    value = parent.get(key)
    return value if isinstance(value, str) else None


def parse_time(value: str) -> datetime:
    """An ISO 8601 time as GitHub writes it (``2019-05-15T15:20:33Z`` or with an offset)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return ensure_utc(parsed)


def timestamp(parent: Json, key: str, where: str = "") -> datetime:
    """The time at ``parent[key]``, as a tz-aware UTC datetime."""
    value = parent.get(key)
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError:
            pass
    raise wrong(where, key, _("an ISO 8601 time such as 2024-01-31T12:00:00Z"), value)


def optional_timestamp(parent: Json, key: str, where: str = "") -> datetime | None:
    """The time at ``parent[key]``, or None when it is absent or null."""
    if parent.get(key) is None:
        return None
    return timestamp(parent, key, where)


def stamp(moment: datetime) -> str:
    """A time as it appears in source ids and cursors: UTC, seconds, ``Z``."""
    return ensure_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def user(parent: Json, key: str, where: str = "") -> IdentityRef:
    """The account at ``parent[key]``; null, empty or absent is GitHub's "ghost" account."""
    value = parent.get(key)
    if value is None or (isinstance(value, Mapping) and not value):
        return GHOST
    if not isinstance(value, Mapping):
        raise wrong(where, key, _("a user object"), value)
    here = path(where, key)
    user_id = integer(value, "id", here)
    login = optional_text(value, "login")
    return IdentityRef(PLATFORM, str(user_id), handle=login, is_bot=value.get("type") == "Bot")


def optional_user(parent: Json, key: str, where: str = "") -> IdentityRef | None:
    """The account at ``parent[key]``, or None when it is null, empty or absent."""
    value = parent.get(key)
    if value is None or (isinstance(value, Mapping) and not value):
        return None
    return user(parent, key, where)


def person(ref: IdentityRef | None) -> dict[str, str] | None:
    """An account as a property value: ``{"id": ..., "login": ...}``."""
    if ref is None:
        return None
    return {"id": ref.external_id, "login": ref.handle or ""}


def label_names(parent: Json) -> list[str]:
    """The names of the labels of an issue, pull request or discussion."""
    labels = parent.get("labels")
    if isinstance(labels, Mapping):  # GraphQL connections: {"nodes": [...]}
        labels = labels.get("nodes")
    if not isinstance(labels, list):
        return []
    names = []
    for label in labels:
        if isinstance(label, Mapping) and isinstance(label.get("name"), str):
            names.append(label["name"])
        elif isinstance(label, str):
            names.append(label)
    return names
