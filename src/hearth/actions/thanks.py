"""Thanks between members: one member says another helped them (``thanks.given``).

A thanks is help recorded by the one who was helped, so the playbook's ``helped:`` rules can
count it (the phoenix ``thanked`` rule: the thanked member helped the thanker). Because it
feeds tiers and leaderboards, it is limited: nobody thanks themselves or a bot; a member thanks
the same member at most once a UTC day (the activity's id names the pair and the day, so even
two racing requests store one); and at most ``server.thanks.per_day`` members a day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from hearth.actions.ingest import IngestReport, ingest
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.domain.playbook import Playbook
from hearth.domain.playbook.server import Thanks
from hearth.errors import Conflict, InputError, RateLimited
from hearth.i18n import _
from hearth.store.tables import activities, identities

KIND = "thanks.given"
MAX_REASON = 200


def thanks_source_id(scope: str, thanker: IdentityRef, thanked: IdentityRef, day: str) -> str:
    """The activity id of ``thanker`` thanking ``thanked`` on ``day``: one per pair and day."""
    return f"thanks:{scope}:{thanker.external_id}:{thanked.external_id}:{day}"


def _thanks_today(engine: Engine, thanker: IdentityRef, source_id: str, day: datetime) -> int:
    """How many thanks ``thanker`` gave on ``day``; -1 when ``source_id`` is already stored."""
    with engine.connect() as conn:
        if conn.scalar(
            select(activities.c.id).where(
                activities.c.platform == thanker.platform, activities.c.source_id == source_id
            )
        ):
            return -1
        member_id = conn.scalar(
            select(identities.c.member_id).where(
                identities.c.platform == thanker.platform,
                identities.c.external_id == thanker.external_id,
            )
        )
        if member_id is None:
            return 0
        return int(
            conn.scalar(
                select(func.count()).where(
                    activities.c.actor_member_id == member_id,
                    activities.c.kind == KIND,
                    activities.c.occurred_at >= day,
                    activities.c.occurred_at < day + timedelta(days=1),
                )
            )
            or 0
        )


def do_thank(
    engine: Engine,
    playbook: Playbook,
    thanker: IdentityRef,
    thanked: IdentityRef,
    *,
    scope: str = "",
    reason: str | None = None,
    at: datetime | None = None,
) -> IngestReport:
    """Record that ``thanker`` thanks ``thanked`` (accounts on the same platform); ``scope``
    (a server id) keeps thanks given in different places apart. Refusals raise
    :class:`InputError` (yourself, a bot), :class:`Conflict` (already today) or
    :class:`RateLimited` (the daily limit)."""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    limits = playbook.server.thanks if playbook.server is not None else Thanks()
    if thanker.platform != thanked.platform:
        raise InputError(_("Thanks are given between accounts on the same platform."))
    if thanker.external_id == thanked.external_id:
        raise InputError(_("You cannot thank yourself."))
    if thanked.is_bot or thanker.is_bot:
        raise InputError(_("Bots cannot be thanked; thank the people who helped you."))
    day = datetime(at.year, at.month, at.day, tzinfo=UTC)
    source_id = thanks_source_id(scope, thanker, thanked, day.date().isoformat())
    given = _thanks_today(engine, thanker, source_id, day)
    name = thanked.display_name or thanked.handle or thanked.external_id
    if given < 0:
        raise Conflict(
            _("You already thanked {name} today; you can thank them again tomorrow.").format(
                name=name
            )
        )
    if given >= limits.per_day:
        raise RateLimited(
            _(
                "You have thanked {n} members today, the most one member can in a day; "
                "try again tomorrow."
            ).format(n=given)
        )
    properties = {"reason": reason.strip()[:MAX_REASON]} if reason and reason.strip() else {}
    report = ingest(
        engine,
        [
            ActivityIn(
                platform=thanker.platform,
                source_id=source_id,
                kind=KIND,
                occurred_at=at,
                actor=thanker,
                target_type="member",
                target_id=thanked.external_id,
                target_owner=thanked,
                properties=properties,
            )
        ],
    )
    if report.duplicates:
        raise Conflict(
            _("You already thanked {name} today; you can thank them again tomorrow.").format(
                name=name
            )
        )
    if not report.imported:
        raise InputError(_("This thanks could not be recorded."))
    return report
