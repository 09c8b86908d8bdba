"""Tier roles: the Discord role of each tier (Contributor, Advocate, Champion...) on exactly
the members who hold the tier.

The role of a tier is the server role declared with ``tier: <key>`` in the playbook, else a
role named like the tier. After every derivation (``on_hearth_derived``, which also comes
periodically, since tiers change with time alone) the cog compares each member's tier roles
with the tiers their member holds (:func:`hearth.actions.lookup.access_identity_tiers`: the
highest automatic tier, plus manual tiers granted) and gives or takes roles. A tier is held
through its grace period, so a role is taken only once the grace period is over.

Roles of manual tiers (``manual: true``, e.g. the core team) are given when staff grant the
tier, never taken automatically: such roles are often given by hand on Discord as well.

Each change is recorded: ``member.role_granted`` / ``member.role_removed`` with the bot as the
actor and the member as the target owner (so the bot's own act does not count as the member
being active, which would keep them in a tier).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from hearth.actions.derive import DeriveReport
from hearth.actions.lookup import access_identity_tiers
from hearth.bot.role_changes import GRANTED, change_role, role_changed
from hearth.connectors.discord_gateway.mapping import PLATFORM, person
from hearth.domain.playbook import Playbook
from hearth.domain.playbook.server import Server
from hearth.i18n import _

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.tier_roles")


def tier_role_names(playbook: Playbook) -> dict[str, str]:
    """Each tier's role name: the server role with that ``tier``, else the tier's name."""
    server = playbook.server or Server()
    declared = {role.tier: role.name for role in server.roles if role.tier}
    return {tier.key: declared.get(tier.key, tier.name) for tier in playbook.tiers}


class TierRolesCog(commands.Cog, name="tier_roles"):
    """Gives and takes the roles of tiers."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()

    @commands.Cog.listener()
    async def on_hearth_derived(self, report: DeriveReport) -> None:
        for guild in self.bot.guilds:
            if self.bot.serves(guild):
                await self.sync_roles(guild)

    async def sync_roles(
        self, guild: discord.Guild, now: datetime | None = None
    ) -> list[tuple[str, str, str]]:
        """Bring ``guild``'s tier roles in line; returns ``(granted|removed, member, role)``."""
        now = now or datetime.now(UTC)
        playbook = self.bot.playbook
        manual = {t.key for t in playbook.tiers if t.manual}
        roles: dict[str, discord.Role] = {}
        for key, name in tier_role_names(playbook).items():
            role = discord.utils.get(guild.roles, name=name)
            if role is not None:
                roles[key] = role
        if not roles:
            return []
        done: list[tuple[str, str, str]] = []
        async with self._lock:
            held = await self.bot.ledger.run(access_identity_tiers, playbook, PLATFORM, now)
            for member in guild.members:
                if member.bot:
                    continue
                tiers = held.get(str(member.id), set())
                for key, role in roles.items():
                    has = role in member.roles
                    if key in tiers and not has:
                        change = "granted"
                    elif has and key not in tiers and key not in manual:
                        change = "removed"
                    else:
                        continue
                    if await self._change(member, role, key, change, now):
                        done.append((change, member.name, role.name))
        return done

    async def _change(
        self, member: discord.Member, role: discord.Role, tier: str, change: str, now: datetime
    ) -> bool:
        if change == GRANTED:
            reason = _("Holds the tier {tier}")
        else:
            reason = _("No longer holds the tier {tier}")
        try:
            await change_role(
                self.bot, member, role, add=change == GRANTED, reason=reason.format(tier=tier)
            )
        except discord.HTTPException as exc:
            log.warning("could not change %s's role %s: %s", member, role.name, exc)
            return False
        me = self.bot.user
        await self.bot.ledger.record_one(
            role_changed(
                member,
                role,
                change,
                now,
                actor=person(me) if me is not None else None,
                properties={"tier": tier, "reason": "tier"},
            )
        )
        log.info("%s %s the role %s", change, member, role.name)
        return True


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(TierRolesCog(bot))
