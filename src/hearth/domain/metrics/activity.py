"""Activity: volume per platform per day, by hour of week; popular topics; engagement; content.

- **Activity per platform per day**: activities in the period (bots left out), by UTC day.
- **Hour of week**: the same activities by UTC weekday (Monday first) and hour.
- **Popular topics**: the tags of threads and questions, the labels of issues, the categories
  of topics and discussions (threads opened in the period, each counted once), and the
  channels messages were posted in (messages in the period).
- **Content engagement**: per thread opened in the period (a *content item*), the replies in
  it, the reactions on its opening post (reaction activities plus the likes or reactions the
  platform counted) and its views (where the platform counts them), as averages per item; the
  most engaging items are listed.
- **Content creation**: ``content.published`` activities (tutorials, posts, videos, talks) in
  the period, per month; the headline is the mean over the period's complete months.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hearth.domain.metrics.common import KindMonth, People, Period, ratio, rounded
from hearth.domain.metrics.threads import ThreadOpened, ThreadOutcome

CONTENT_KIND = "content.published"
TOP = 10


@dataclass(frozen=True, slots=True)
class HourCount:
    """Activities on ``platform`` in the UTC hour starting at ``hour``."""

    platform: str
    hour: datetime
    count: int


@dataclass(frozen=True, slots=True)
class TopicCount:
    """How often a topic (a channel, tag, label...) occurred."""

    dimension: str
    name: str
    count: int


def activity_metrics(rows: Iterable[HourCount]) -> dict[str, Any]:
    """Totals, per platform per day and per hour of week, from hourly counts."""
    total = 0
    by_platform: Counter[str] = Counter()
    per_day: dict[str, Counter[str]] = {}
    hour_of_week = [[0] * 24 for _day in range(7)]
    for row in rows:
        total += row.count
        by_platform[row.platform] += row.count
        day = row.hour.date().isoformat()
        per_day.setdefault(day, Counter())[row.platform] += row.count
        hour_of_week[row.hour.weekday()][row.hour.hour] += row.count
    busiest = max(
        ((d, h) for d in range(7) for h in range(24)),
        key=lambda dh: (hour_of_week[dh[0]][dh[1]], -dh[0], -dh[1]),
    )
    days = len(per_day)
    return {
        "total": total,
        "by_platform": dict(sorted(by_platform.items())),
        "active_days": days,
        "per_day": {day: dict(sorted(per_day[day].items())) for day in sorted(per_day)},
        "hour_of_week": hour_of_week,
        "busiest_hour": ({"weekday": busiest[0], "hour": busiest[1]} if total else None),
    }


def popular_topics(
    openings: Iterable[ThreadOpened], channels: Iterable[TopicCount], limit: int = TOP
) -> dict[str, list[dict[str, Any]]]:
    """The most frequent tags, labels, categories and channels, most frequent first.

    Ties are broken by name, so the order is stable.
    """
    counters: dict[str, Counter[str]] = {
        "tags": Counter(),
        "labels": Counter(),
        "categories": Counter(),
        "channels": Counter(),
    }
    tags, labels, categories = counters["tags"], counters["labels"], counters["categories"]
    for opening in openings:
        for tag in set(opening.tags) if len(opening.tags) > 1 else opening.tags:
            tags[tag] += 1
        for label in set(opening.labels) if len(opening.labels) > 1 else opening.labels:
            labels[label] += 1
        if opening.category:
            categories[opening.category] += 1
    for row in channels:
        counters[row.dimension if row.dimension in counters else "channels"][row.name] += row.count
    return {name: _top(counter, limit) for name, counter in counters.items()}


def _top(counter: Mapping[str, int], limit: int) -> list[dict[str, Any]]:
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [{"name": name, "count": count} for name, count in ordered[:limit]]


def engagement(outcomes: Sequence[ThreadOutcome], limit: int = TOP) -> dict[str, Any]:
    """Replies, reactions and views per content item, and the most engaging items."""
    items = len(outcomes)
    replies = sum(o.replies for o in outcomes)
    reactions = sum(o.reactions for o in outcomes)
    viewed = [o.opening.views for o in outcomes if o.opening.views is not None]
    ranked = heapq.nsmallest(
        limit,
        outcomes,
        key=lambda o: (-(o.replies + o.reactions), -(o.opening.views or 0), o.opening.key),
    )
    return {
        "items": items,
        "replies": replies,
        "reactions": reactions,
        "views": sum(viewed),
        "replies_per_item": rounded(ratio(replies, items)),
        "reactions_per_item": rounded(ratio(reactions, items)),
        "views_per_item": rounded(ratio(sum(viewed), len(viewed))),
        "top": [
            {
                "platform": o.opening.platform,
                "type": o.opening.type,
                "id": o.opening.key[2],
                "title": o.opening.title,
                "replies": o.replies,
                "reactions": o.reactions,
                "views": o.opening.views,
            }
            for o in ranked
        ],
    }


def content_metrics(
    rows: Iterable[KindMonth], people: People, period: Period, platform: str | None = None
) -> dict[str, Any]:
    """Content pieces published in the period, per month, and the mean per complete month."""
    by_month = dict.fromkeys(period.months(), 0)
    for row in rows:
        if row.kind != CONTENT_KIND or not row.in_period or not people.acts(row.member_id):
            continue
        if platform is not None and row.platform != platform:
            continue
        if row.month in by_month:
            by_month[row.month] += row.in_period
    complete = period.complete_months()
    per_month = ratio(sum(by_month[m] for m in complete), len(complete))
    return {
        "published": sum(by_month.values()),
        "by_month": by_month,
        "per_month": rounded(per_month),
    }
