"""The support tickets' scheduled job: reminders, alerts, inactivity warnings and closes.

:func:`sweep` is one round (:func:`hearth.actions.tickets.do_sweep_tickets`); the bot runs it
every minute and posts what it returns, and ``hearth tickets sweep`` runs it from cron. Each
step is marked on the ticket row in the same transaction that takes it, so a restart, or two
processes sweeping at once (PostgreSQL: rows locked with SKIP LOCKED), never repeats one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from hearth.actions.tickets import Notice, do_sweep_tickets
from hearth.domain.playbook import Playbook


def sweep(engine: Engine, playbook: Playbook, now: datetime | None = None) -> list[Notice]:
    """One round of the ticket job at ``now`` (default: the current time)."""
    return do_sweep_tickets(engine, playbook, now)
