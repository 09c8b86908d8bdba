"""What the rules engine reads: activities as compact facts, and the members behind them.

A :class:`Fact` is one ledger activity reduced to what rules look at. Times are POSIX seconds
(UTC) as floats: the fold compares and subtracts times millions of times, and floats are exact
to the microsecond for the dates a community has. Properties are decoded from JSON only when a
rule asks for them (most activities are matched by kind alone).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DAY = 86_400.0

FactKey = tuple[float, str, str]
"""The fold's total order: ``(occurred_at, platform, source_id)``."""


def to_seconds(moment: datetime) -> float:
    """POSIX seconds of a tz-aware ``moment`` (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def to_datetime(seconds: float) -> datetime:
    """The UTC datetime of POSIX ``seconds``."""
    return datetime.fromtimestamp(seconds, UTC)


def day_of(seconds: float) -> int:
    """The UTC day number (days since 1970-01-01) of ``seconds``."""
    return int(seconds // DAY)


class Fact:
    """One activity as the rules engine sees it."""

    __slots__ = (
        "_props",
        "_raw",
        "activity_id",
        "actor",
        "at",
        "kind",
        "owner",
        "platform",
        "source_id",
        "target_id",
        "target_type",
    )

    def __init__(
        self,
        activity_id: int,
        at: float,
        platform: str,
        source_id: str,
        kind: str,
        actor: int | None,
        target_type: str | None,
        target_id: str | None,
        owner: int | None,
        properties: Mapping[str, Any] | str | bytes | None,
    ) -> None:
        self.activity_id = activity_id
        self.at = at
        self.platform = platform
        self.source_id = source_id
        self.kind = kind
        self.actor = actor
        self.target_type = target_type
        self.target_id = target_id
        self.owner = owner
        self._raw = properties
        self._props: Mapping[str, Any] | None = None  # see props

    @staticmethod
    def decode(text: str | bytes) -> Any:
        """Decode properties stored as JSON text. The store layer's facts override this with a
        faster decoder (this module imports only the standard library)."""
        return json.loads(text)

    @property
    def props(self) -> Mapping[str, Any]:
        """The activity's properties (decoded on first use)."""
        if self._props is None:
            raw = self._raw
            # Text first: it is what the ledger holds, and the Mapping check is an ABC's.
            if isinstance(raw, str | bytes):
                decoded: Any = self.decode(raw) if raw else {}
            elif isinstance(raw, Mapping):
                decoded = raw
            else:
                decoded = {}
            self._props = decoded if isinstance(decoded, dict) else {}
        return self._props

    @property
    def key(self) -> FactKey:
        return (self.at, self.platform, self.source_id)

    def __repr__(self) -> str:
        return f"Fact({self.kind} {self.platform}:{self.source_id} at {to_datetime(self.at)})"


@dataclass(frozen=True, slots=True)
class MemberFlags:
    """What rules need to know about a member beyond their activity."""

    is_bot: bool = False
    is_staff: bool = False
