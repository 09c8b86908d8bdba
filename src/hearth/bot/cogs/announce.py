"""Announcements: achievements and tiers members earn, posted in the playbook's
``server.announcement_channel``.

After every derivation (``on_hearth_derived``, from the derive cog) the cog asks
:func:`hearth.actions.announcements.access_announcements` what is new, posts it, and marks each
post in the durable cursor as soon as it is sent: a restart neither repeats nor misses one
(at worst, a crash between a post and its mark repeats that one post). On its very first run
for a server it announces nothing and starts from what is already earned.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from hearth.actions.announcements import Announcement, access_announcements, do_mark_announced
from hearth.actions.derive import DeriveReport
from hearth.bot.cogs.welcome import text_channel
from hearth.bot.replies import localized
from hearth.connectors.discord_gateway.mapping import PLATFORM
from hearth.i18n import N_

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.announce")


def scope_of(guild: discord.Guild) -> str:
    return f"{PLATFORM}:{guild.id}"


class AnnounceCog(commands.Cog, name="announce"):
    """Posts achievements and tiers earned."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()

    @commands.Cog.listener()
    async def on_hearth_derived(self, report: DeriveReport) -> None:
        for guild in self.bot.guilds:
            if self.bot.serves(guild):
                try:
                    await self.announce(guild)
                except discord.HTTPException as exc:
                    log.warning("announcements in %s failed: %s", guild.name, exc)

    async def announce(self, guild: discord.Guild, now: datetime | None = None) -> int:
        """Post what is new in ``guild``'s announcement channel; returns how many were posted."""
        name = self.bot.server.announcement_channel
        channel = text_channel(guild, name)
        if channel is None:
            if name:
                log.warning("announcement channel %r does not exist", name)
            return 0
        scope = scope_of(guild)
        async with self._lock:
            pending = await self.bot.ledger.run(
                access_announcements, self.bot.playbook, scope, platform=PLATFORM, now=now
            )
            for item in pending.items:
                await channel.send(
                    self.text(item, guild),
                    allowed_mentions=discord.AllowedMentions(
                        users=True, roles=False, everyone=False
                    ),
                )
                await self.bot.ledger.run(do_mark_announced, scope, [item], now=now)
            await self.bot.ledger.run(do_mark_announced, scope, [], tiers=pending.tiers, now=now)
        return len(pending.items)

    def text(self, item: Announcement, guild: discord.Guild) -> str:
        locale = guild.preferred_locale
        who = (
            f"<@{item.account}>"
            if item.account is not None
            and item.account.isdigit()
            and guild.get_member(int(item.account)) is not None
            else discord.utils.escape_markdown(item.member_name)
        )
        icon = item.icon or ("🏅" if item.kind == "achievement" else "🎉")
        if item.kind == "achievement":
            return localized(
                N_("{icon} {member} earned the achievement **{name}**!"),
                locale,
                icon=icon,
                member=who,
                name=item.name,
            )
        return localized(
            N_("{icon} {member} is now a **{tier}**!"),
            locale,
            icon=icon,
            member=who,
            tier=item.name,
        )


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(AnnounceCog(bot))
