"""Support tickets as plain data: response targets, their status, and what the scheduled job
does next (remind, alert, warn, close). Pure: the actions and the job feed it rows and times.

A ticket's first response is due ``first_response_within`` after it opened — in working time
when its category says ``business_hours: true`` (:mod:`hearth.domain.business_hours`). Its
*target status* is ``met`` or ``missed`` once answered, else ``pending``, ``due_soon`` (within
``remind_before`` of the due time) or ``overdue``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from hearth.domain.business_hours import DAY_NAMES, Schedule, add_business_time
from hearth.domain.playbook.programs import BusinessHours, Support, TicketCategory

TargetStatus = Literal["met", "missed", "pending", "due_soon", "overdue"]
TARGET_STATUSES: tuple[TargetStatus, ...] = ("pending", "due_soon", "overdue", "met", "missed")
STATES = ("open", "closed")
CLOSE_REASONS = ("solved", "staff", "member", "inactive")
Step = Literal["remind", "alert", "warn", "close"]


def schedule_of(hours: BusinessHours | None) -> Schedule | None:
    """The :class:`Schedule` of the playbook's ``support.business_hours``."""
    if hours is None:
        return None

    def clock(text: str) -> time:
        hour, minute = text.split(":")
        return time(int(hour), int(minute))

    return Schedule(
        timezone=hours.timezone,
        weekdays=frozenset(DAY_NAMES.index(day) for day in hours.days),
        start=clock(hours.start),
        end=clock(hours.end),
        holidays=frozenset(d for d in hours.holidays if isinstance(d, date)),
    )


def due_at(support: Support, category: TicketCategory, opened_at: datetime) -> datetime:
    """When the first response to a ticket of ``category`` opened at ``opened_at`` is due."""
    schedule = schedule_of(support.business_hours) if category.business_hours else None
    return add_business_time(opened_at, category.first_response_within, schedule)


@dataclass(frozen=True, slots=True)
class TicketTimes:
    """What the status and the job need of a ticket."""

    state: str
    opened_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    last_activity_at: datetime
    reminded_at: datetime | None = None
    alerted_at: datetime | None = None
    warned_at: datetime | None = None


def target_status(ticket: TicketTimes, now: datetime, remind_before: timedelta) -> TargetStatus:
    """Where the ticket stands against its first-response target at ``now``."""
    if ticket.first_response_at is not None:
        return "met" if ticket.first_response_at <= ticket.due_at else "missed"
    if ticket.state == "closed":
        return "missed" if now > ticket.due_at else "pending"
    if now >= ticket.due_at:
        return "overdue"
    if now >= ticket.due_at - remind_before:
        return "due_soon"
    return "pending"


def next_steps(ticket: TicketTimes, now: datetime, support: Support) -> list[Step]:
    """What the scheduled job owes an open ticket at ``now``, each step once:

    - ``remind``: staff, before the first-response target is missed (``remind_before``);
    - ``alert``: staff, once it is missed;
    - ``warn``: the member, after ``inactive_after`` without a message;
    - ``close``: ``close_after`` a warning that nobody answered.
    """
    if ticket.state != "open":
        return []
    steps: list[Step] = []
    if ticket.first_response_at is None:
        if now >= ticket.due_at and ticket.alerted_at is None:
            steps.append("alert")
        elif (
            now >= ticket.due_at - support.remind_before
            and now < ticket.due_at
            and ticket.reminded_at is None
        ):
            steps.append("remind")
    if ticket.warned_at is not None and ticket.warned_at >= ticket.last_activity_at:
        if now >= ticket.warned_at + support.close_after:
            steps.append("close")
    elif now >= ticket.last_activity_at + support.inactive_after:
        steps.append("warn")
    return steps


def age_bucket(opened_at: datetime, now: datetime) -> str:
    """The queue's age filter: ``1d`` (under a day), ``7d``, ``30d`` or ``older``."""
    age = now - opened_at
    for label, limit in (("1d", 1), ("7d", 7), ("30d", 30)):
        if age < timedelta(days=limit):
            return label
    return "older"
