"""Where each chat channel's record ends: the bot catches up from there after downtime."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, func, select

from hearth.domain.activity import ensure_utc
from hearth.store.tables import activities

# What a message in a channel or thread is stored as (its target is the channel or thread).
CHANNEL_KINDS = ("message.posted", "thread.started", "thread.replied")
_IN_LIMIT = 1000


def access_channel_marks(
    engine: Engine, platform: str, channel_ids: Iterable[str]
) -> dict[str, datetime]:
    """The time of the latest stored message of each of ``channel_ids`` (channels or threads)
    on ``platform``; channels with nothing stored are left out."""
    ids = sorted(set(channel_ids))
    marks: dict[str, datetime] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), _IN_LIMIT):
            chunk = ids[start : start + _IN_LIMIT]
            rows = conn.execute(
                select(activities.c.target_id, func.max(activities.c.occurred_at))
                .where(
                    activities.c.platform == platform,
                    activities.c.kind.in_(CHANNEL_KINDS),
                    activities.c.target_type.in_(("channel", "thread")),
                    activities.c.target_id.in_(chunk),
                )
                .group_by(activities.c.target_id)
            )
            for target_id, latest in rows:
                if target_id is not None and latest is not None:
                    marks[str(target_id)] = ensure_utc(latest)
    return marks
