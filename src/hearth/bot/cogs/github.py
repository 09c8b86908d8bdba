"""GitHub in chat: ``#123``, ``owner/repo#123`` and GitHub links expand into a short embed
(title, state, author), read through Hearth's GitHub REST client.

A bare ``#123`` refers to the playbook's ``server.github_repository``. At most three
references per message; the same reference is expanded at most once per channel within the
cooldown, and answers are cached as long.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from hearth.bot.cooldown import Cooldown
from hearth.bot.replies import localized
from hearth.connectors.github.api import GitHubClient, HttpxGitHubClient
from hearth.domain.github_refs import GitHubRef, find_refs
from hearth.errors import HearthError
from hearth.i18n import N_

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.github")
MAX_REFS = 3
COLOURS = {"open": 0x2DA44E, "closed": 0xCF222E, "merged": 0x8250DF, "draft": 0x6E7781}


def state_of(item: dict[str, Any]) -> str:
    pull = item.get("pull_request")
    if isinstance(pull, dict) and pull.get("merged_at"):
        return "merged"
    if item.get("draft"):
        return "draft"
    return str(item.get("state") or "open")


def ref_embed(ref: GitHubRef, item: dict[str, Any], locale: Any) -> discord.Embed:
    state = state_of(item)
    kind = (
        localized(N_("Pull request"), locale)
        if "pull_request" in item
        else localized(N_("Issue"), locale)
    )
    embed = discord.Embed(
        title=f"{ref.slug}#{item.get('number', ref.number)}: {item.get('title', '')}"[:256],
        url=item.get("html_url"),
        colour=COLOURS.get(state, 0x6E7781),
    )
    embed.add_field(name=localized(N_("Type"), locale), value=kind)
    embed.add_field(name=localized(N_("State"), locale), value=state)
    author = (item.get("user") or {}).get("login")
    if author:
        embed.add_field(name=localized(N_("Author"), locale), value=author)
    return embed


class GitHubCog(commands.Cog, name="github"):
    """Expands GitHub references in chat."""

    def __init__(self, bot: HearthBot, client: GitHubClient | None = None) -> None:
        self.bot = bot
        self.client = client
        self.cooldown = Cooldown(bot.settings.discord_cooldown_seconds)
        self._cache: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}

    def github(self) -> GitHubClient:
        if self.client is None:
            settings = self.bot.settings
            token = settings.github_token.get_secret_value() if settings.github_token else None
            self.client = HttpxGitHubClient(settings.github_api_url, token, max_retries=1)
        return self.client

    async def cog_unload(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    async def fetch(self, ref: GitHubRef) -> dict[str, Any] | None:
        assert ref.number is not None
        key = (ref.slug.lower(), ref.number)
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < self.cooldown.seconds:
            return cached[1]
        path = f"/repos/{ref.owner}/{ref.repo}/issues/{ref.number}"
        try:
            page = await asyncio.to_thread(self.github().get, path)
        except HearthError as exc:  # not found, private, GitHub down: no embed
            log.info("no expansion for %s#%s: %s", ref.slug, ref.number, exc)
            return None
        if not isinstance(page.data, dict):
            return None
        self._cache[key] = (time.monotonic(), page.data)
        return page.data

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not self.bot.serves(message.guild):
            return
        refs = [
            r
            for r in find_refs(message.content, self.bot.server.github_repository)
            if r.number is not None and r.kind in ("issue", "pull", "ref")
        ][:MAX_REFS]
        locale = message.guild.preferred_locale if message.guild else None
        embeds = []
        for ref in refs:
            if not self.cooldown.ready((message.channel.id, ref.key)):
                continue
            item = await self.fetch(ref)
            if item is not None:
                embeds.append(ref_embed(ref, item, locale))
        if embeds:
            await message.reply(embeds=embeds, mention_author=False)


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(GitHubCog(bot))
