"""Code-formatting help: a message with unfenced or badly fenced code gets a short reply
showing it fenced with the right language (:mod:`hearth.domain.code_blocks`).

The reply is deleted when the author edits their message (they have fixed it, or it changed),
and replies are rate-limited per channel and author.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from hearth.bot.cooldown import Cooldown
from hearth.bot.replies import localized
from hearth.domain.code_blocks import render_fenced, suggest_fence
from hearth.i18n import _

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.code")
MAX_TRACKED = 1000
LIMIT = 2000  # Discord's message length


class CodeCog(commands.Cog, name="code"):
    """Suggests code fences; takes the suggestion back when the message is edited."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.cooldown = Cooldown(bot.settings.discord_cooldown_seconds)
        # message id → (channel id, reply id): which reply to delete on an edit.
        self.replies: OrderedDict[int, tuple[int, int]] = OrderedDict()

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not self.bot.serves(message.guild):
            return
        suggestion = suggest_fence(message.content)
        if suggestion is None:
            return
        locale = message.guild.preferred_locale if message.guild else None
        reasons = {
            "unfenced": _("Tip: put code between ``` fences so it keeps its layout:"),
            "no_language": _("Tip: name the language after the opening ``` for colours:"),
            "broken_fence": _("Tip: the code fence is not closed properly; like this:"),
        }
        text = localized(reasons[suggestion.reason], locale) + "\n" + render_fenced(suggestion)
        if len(text) > LIMIT or not self.cooldown.ready((message.channel.id, message.author.id)):
            return
        reply = await message.reply(text, mention_author=False)
        self.replies[message.id] = (message.channel.id, reply.id)
        while len(self.replies) > MAX_TRACKED:
            self.replies.popitem(last=False)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        tracked = self.replies.pop(payload.message_id, None)
        if tracked is None:
            return
        channel_id, reply_id = tracked
        channel = self.bot.get_channel(channel_id)
        if channel is None or not hasattr(channel, "get_partial_message"):
            return
        try:
            await channel.get_partial_message(reply_id).delete()
        except discord.NotFound:
            pass  # already deleted by someone
        except discord.HTTPException as exc:
            log.warning("could not delete the code tip %s: %s", reply_id, exc)


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(CodeCog(bot))
