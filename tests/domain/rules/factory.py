"""Hand-built ledgers for rules tests: facts with readable times and automatic source ids."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hearth.domain.rules import Fact, to_seconds

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def day(n: float) -> datetime:
    """``n`` days after T0."""
    return T0 + timedelta(days=n)


def fact(
    kind: str,
    at: datetime,
    *,
    actor: int | None = None,
    owner: int | None = None,
    target: str | None = None,
    target_type: str | None = None,
    platform: str = "github",
    **properties: Any,
) -> Fact:
    n = next(_ids)
    return Fact(
        n,
        to_seconds(at),
        platform,
        f"s{n:08d}",
        kind,
        actor,
        target_type,
        target,
        owner,
        dict(properties),
    )


def ordered(facts: list[Fact]) -> list[Fact]:
    return sorted(facts, key=lambda f: f.key)
