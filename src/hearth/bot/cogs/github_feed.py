"""The GitHub feed: merged pull requests and published releases announced in the playbook's
``server.github_announcements`` channels.

They reach the ledger from webhooks (the web process) and ``hearth import github``, so the cog
polls: every :data:`POLL_SECONDS` it asks :func:`hearth.actions.github_feed.access_github_feed`
what is new for each server, posts a short embed (title, author, repository, link) and marks
each post in the durable cursor as soon as it is sent: a restart neither repeats nor misses one
(at worst, a crash between a post and its mark repeats that one post). The first run for a
server starts from now; history older than a day is never announced.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from hearth.actions.github_feed import FeedItem, access_github_feed, do_mark_posted
from hearth.bot.cogs.github import COLOURS
from hearth.bot.cogs.welcome import text_channel
from hearth.bot.replies import localized
from hearth.connectors.discord_gateway.mapping import PLATFORM
from hearth.i18n import N_

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.github_feed")
POLL_SECONDS = 30.0
RELEASE_COLOUR = 0x0969DA


def scope_of(guild: discord.Guild) -> str:
    return f"{PLATFORM}:{guild.id}"


def feed_embed(item: FeedItem, locale: Any) -> discord.Embed:
    """The announcement of ``item``, its labels in ``locale``."""
    if item.kind == "pr.merged":
        heading = localized(
            N_("Pull request merged: {title}"), locale, title=item.title or f"#{item.number}"
        )
        colour = COLOURS["merged"]
        where = f"{item.repository}#{item.number}" if item.number is not None else item.repository
    else:
        heading = localized(N_("New release: {title}"), locale, title=item.title or item.tag or "")
        colour = RELEASE_COLOUR
        where = f"{item.repository} {item.tag}" if item.tag else item.repository
    embed = discord.Embed(title=heading[:256], url=item.url, colour=colour)
    if item.author:
        embed.add_field(
            name=localized(N_("Author"), locale),
            value=discord.utils.escape_markdown(item.author),
        )
    embed.add_field(name=localized(N_("Repository"), locale), value=where or "—")
    if item.url:
        embed.add_field(
            name=localized(N_("Link"), locale),
            value=localized(N_("[Open on GitHub]({url})"), locale, url=item.url),
            inline=False,
        )
    return embed


class GitHubFeedCog(commands.Cog, name="github_feed"):
    """Announces merged pull requests and releases."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        while True:
            await self.announce_all()
            await asyncio.sleep(POLL_SECONDS)

    async def announce_all(self) -> int:
        posted = 0
        for guild in self.bot.guilds:
            if not self.bot.serves(guild):
                continue
            try:
                posted += await self.announce(guild)
            except discord.HTTPException as exc:
                log.warning("GitHub announcements in %s failed: %s", guild.name, exc)
            except Exception:  # logged; the next poll tries again
                log.exception("GitHub announcements in %s failed", guild.name)
        return posted

    async def announce(self, guild: discord.Guild, now: datetime | None = None) -> int:
        """Post what is new in ``guild``; returns how many were posted."""
        config = self.bot.server.github_announcements
        if not any(name for _, name in config.channels()):
            return 0
        scope = scope_of(guild)
        posted = 0
        async with self._lock:
            while True:
                feed = await self.bot.ledger.read(access_github_feed, config, scope, now=now)
                for item in feed.items:
                    channel = text_channel(guild, item.channel)
                    if channel is not None:
                        await channel.send(embed=feed_embed(item, guild.preferred_locale))
                        posted += 1
                    elif item.channel:
                        log.warning("GitHub announcement channel %r does not exist", item.channel)
                    await self.bot.ledger.run(do_mark_posted, scope, [item.activity_id], now=now)
                if feed.head is not None:
                    await self.bot.ledger.run(do_mark_posted, scope, [], head=feed.head, now=now)
                    return posted


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(GitHubFeedCog(bot))
