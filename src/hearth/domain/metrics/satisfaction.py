"""Support satisfaction: the 1-5 ratings members give their tickets when they are closed.

A rating counts in the period its ticket was *closed* in (the rating is asked for on close), so
a period's figure describes the support given in it. The figure is the number of ratings and
their average, rounded to two places (None without ratings). Bots' tickets are left out
unless ``people.include_bots``; staff's own tickets count (they were helped too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hearth.domain.metrics.common import People, Period, rounded

MIN_RATING = 1
MAX_RATING = 5


@dataclass(frozen=True, slots=True)
class TicketRating:
    """The rating of one ticket, and when the ticket was closed."""

    rating: int
    closed_at: datetime
    member_id: int | None = None


def satisfaction(
    ratings: Iterable[TicketRating], period: Period, people: People | None = None
) -> dict[str, Any]:
    """``{"average": …, "ratings": n}`` over the tickets closed in ``period`` and rated."""
    people = people or People()
    values = [
        r.rating
        for r in ratings
        if r.closed_at in period
        and MIN_RATING <= r.rating <= MAX_RATING
        and people.acts(r.member_id)
    ]
    return {
        "average": rounded(sum(values) / len(values), 2) if values else None,
        "ratings": len(values),
    }
