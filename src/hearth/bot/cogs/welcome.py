"""Welcome and onboarding: the first steps of the Phoenix onboarding flow.

When a member joins, the bot gives them the playbook's automatic roles, welcomes them in the
welcome channel and sends them the onboarding guide by direct message (skipped, and logged,
when their DMs are closed). Their first message in the introductions channel records
``member.introduced``; picking a role in a role menu (:mod:`.roles`) records
``member.role_picked``. The join itself is recorded by the ingest cog.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from string import Formatter
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from hearth.bot.replies import localized
from hearth.bot.role_changes import GRANTED, change_role, role_changed
from hearth.connectors.discord_gateway.mapping import PLATFORM, person
from hearth.domain.activity import ActivityIn
from hearth.domain.playbook.server import Welcome
from hearth.i18n import N_, _

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.welcome")


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, **values: Any) -> str:
    """``template`` with ``{name}`` placeholders filled; unknown ones are left as written."""
    try:
        return Formatter().vformat(template, (), _Lenient(values))
    except (ValueError, IndexError):  # stray braces in a playbook text: show it as written
        return template


def text_channel(guild: discord.Guild, name: str | None) -> discord.TextChannel | None:
    if not name:
        return None
    return discord.utils.get(guild.text_channels, name=name)


class WelcomeCog(commands.Cog, name="welcome"):
    """Greets members who join, gives them their first roles, records their first steps."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot

    @property
    def welcome(self) -> Welcome | None:
        return self.bot.server.welcome

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        welcome = self.welcome
        if welcome is None or member.bot or not self.bot.serves(member.guild):
            return
        await self.grant_auto_roles(member, welcome)
        await self.greet(member, welcome)
        await self.send_guide(member, welcome)

    async def grant_auto_roles(self, member: discord.Member, welcome: Welcome) -> None:
        for name in welcome.auto_roles:
            role = discord.utils.get(member.guild.roles, name=name)
            if role is None:
                log.warning("automatic role %r does not exist; run 'hearth discord apply'", name)
                continue
            try:
                await change_role(
                    self.bot, member, role, add=True, reason=_("Automatic role on joining")
                )
            except discord.HTTPException as exc:
                log.warning("could not give %s the role %s: %s", member, name, exc)
                continue
            # Given to the member, not done by them: the bot is the actor. The time is the
            # join's, so a join Discord sends twice records the role once.
            me = self.bot.user
            await self.bot.ledger.record_one(
                role_changed(
                    member,
                    role,
                    GRANTED,
                    member.joined_at or datetime.now(UTC),
                    actor=person(me) if me is not None else None,
                    properties={"reason": "auto_role"},
                )
            )

    async def greet(self, member: discord.Member, welcome: Welcome) -> None:
        channel = text_channel(member.guild, welcome.channel)
        if channel is None:
            if welcome.channel:
                log.warning("welcome channel %r does not exist", welcome.channel)
            return
        guide = text_channel(member.guild, welcome.guide_channel)
        values = {
            "member": member.mention,
            "server": member.guild.name,
            "guide": guide.mention if guide else (welcome.guide_channel or ""),
        }
        template = welcome.message or localized(
            N_(
                "Welcome to {server}, {member}! Introduce yourself here, pick your roles, "
                "and have a look at {guide} to get started."
            ),
            member.guild.preferred_locale,
        )
        await channel.send(
            fill(template, **values),
            allowed_mentions=discord.AllowedMentions(users=[member], roles=False, everyone=False),
        )

    async def send_guide(self, member: discord.Member, welcome: Welcome) -> None:
        if not welcome.guide:
            return
        try:
            await member.send(
                fill(welcome.guide, member=member.display_name, server=member.guild.name)
            )
        except discord.Forbidden:
            log.info("%s does not accept direct messages; no guide sent", member)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        welcome = self.welcome
        if (
            welcome is None
            or not welcome.introductions_channel
            or message.author.bot
            or message.guild is None
            or not self.bot.serves(message.guild)
            or getattr(message.channel, "name", None) != welcome.introductions_channel
        ):
            return
        await self.bot.ledger.record_one(
            ActivityIn(
                platform=PLATFORM,
                # One per member and server: only the first introduction counts.
                source_id=f"introduced:{message.guild.id}:{message.author.id}",
                kind="member.introduced",
                occurred_at=message.created_at,
                actor=person(message.author),
                target_type="message",
                target_id=str(message.id),
                properties={"channel": welcome.introductions_channel},
            )
        )


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(WelcomeCog(bot))
