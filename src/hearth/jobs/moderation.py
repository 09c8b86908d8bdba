"""The moderation job: temporary bans end on time, across restarts.

The end of every ban is a column of its case (``mod_cases.ends_at``), so nothing lives only in
memory: :func:`lift_expired` ends each ban whose time is up (writing ``member.unbanned`` and
catching the derivation up). The bot runs it every minute and at start — after a restart it
lifts every ban that ended while it was down — and then applies the lifts on Discord
(``lift_applied_at`` marks those done). ``hearth cases lift`` runs it from cron.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from hearth.actions.moderation import Lifted, do_lift_expired_bans
from hearth.domain.playbook import Playbook


def lift_expired(engine: Engine, playbook: Playbook, now: datetime | None = None) -> list[Lifted]:
    """One round of the moderation job at ``now`` (default: the current time)."""
    return do_lift_expired_bans(engine, playbook, now)
