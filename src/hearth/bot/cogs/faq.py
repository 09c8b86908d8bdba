"""FAQ answers: ``/faq`` looks an entry up; in help channels a question that matches an entry
gets a suggested answer, with a button to mark it helpful and one to dismiss it.

Suggestions are rate-limited per channel (``HEARTH_DISCORD_COOLDOWN_SECONDS``). The matching
is :mod:`hearth.domain.faq`; entries and feedback are stored by :mod:`hearth.actions.faq`.
Staff add entries with ``/faq-add`` (or the CLI).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from hearth.actions.context import Caller
from hearth.actions.faq import access_faq_lookup, do_add_faq, do_record_faq_feedback
from hearth.bot.cooldown import Cooldown
from hearth.bot.replies import interaction_locale, localized, reply_error
from hearth.domain.faq import FaqEntry, looks_like_question
from hearth.errors import PermissionDenied
from hearth.i18n import N_, _

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.faq")


def answer_embed(entry: FaqEntry) -> discord.Embed:
    embed = discord.Embed(title=entry.question[:256], description=entry.answer[:4000])
    if entry.links:
        embed.add_field(name="🔗", value="\n".join(entry.links)[:1024], inline=False)
    return embed


class FaqButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"hearth:faq:(?P<action>helpful|dismiss):(?P<entry>[0-9]+):(?P<asker>[0-9]+)",
):
    """ "Helpful" or "Dismiss" under a suggested answer; works across restarts."""

    def __init__(self, action: str, entry: int, asker: int, label: str | None = None) -> None:
        style = (
            discord.ButtonStyle.success if action == "helpful" else discord.ButtonStyle.secondary
        )
        super().__init__(
            discord.ui.Button(
                style=style,
                label=label or action,
                custom_id=f"hearth:faq:{action}:{entry}:{asker}",
            )
        )
        self.action, self.entry, self.asker = action, entry, asker

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FaqButton:
        return cls(match["action"], int(match["entry"]), int(match["asker"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self._answer(interaction)
        except Exception as exc:  # answered to the member like every component error
            await reply_error(interaction, exc)

    async def _answer(self, interaction: discord.Interaction) -> None:
        bot: HearthBot = interaction.client  # type: ignore[assignment]
        locale = interaction_locale(interaction)
        if self.action == "helpful":
            await bot.ledger.run(do_record_faq_feedback, self.entry, True)
            await interaction.response.send_message(
                localized(N_("Thanks! Glad it helped."), locale), ephemeral=True
            )
            return
        user = interaction.user
        staff = isinstance(user, discord.Member) and user.guild_permissions.manage_messages
        if user.id != self.asker and not staff:
            raise PermissionDenied(_("Only the member who asked, or a moderator, can dismiss it."))
        await bot.ledger.run(do_record_faq_feedback, self.entry, False)
        await interaction.response.defer()
        if interaction.message is not None:
            await interaction.message.delete()


def suggestion_view(entry: FaqEntry, asker: int, locale: Any) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FaqButton("helpful", entry.id, asker, localized(N_("Helpful"), locale)))
    view.add_item(FaqButton("dismiss", entry.id, asker, localized(N_("Dismiss"), locale)))
    return view


class FaqCog(commands.Cog, name="faq"):
    """``/faq``, ``/faq-add`` and suggested answers in help channels."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.cooldown = Cooldown(bot.settings.discord_cooldown_seconds)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(FaqButton)

    @app_commands.command(name="faq", description=_("Look up the FAQ."))
    @app_commands.describe(question=_("Your question, or a few words of it."))
    async def faq(self, interaction: discord.Interaction, question: str) -> None:
        locale = interaction_locale(interaction)
        matches = await self.bot.ledger.run(access_faq_lookup, question, limit=3)
        if not matches:
            await interaction.response.send_message(
                localized(N_("No FAQ entry matches that; try other words."), locale),
                ephemeral=True,
            )
            return
        embeds = [answer_embed(matches[0].entry)]
        others = [m.entry.question for m in matches[1:]]
        content = (
            localized(N_("See also: {questions}"), locale, questions=" · ".join(others))
            if others
            else None
        )
        await interaction.response.send_message(content=content, embeds=embeds)

    @app_commands.command(name="faq-add", description=_("Add an FAQ entry (staff)."))
    @app_commands.default_permissions(manage_messages=True)
    @app_commands.describe(
        question=_("The question, as members ask it."),
        answer=_("The answer."),
        keywords=_("Keywords, separated by commas."),
    )
    async def faq_add(
        self, interaction: discord.Interaction, question: str, answer: str, keywords: str = ""
    ) -> None:
        user = interaction.user
        if not (isinstance(user, discord.Member) and user.guild_permissions.manage_messages):
            raise PermissionDenied(_("Only staff may add FAQ entries."))
        caller = Caller(name=f"discord:{user.id}", is_staff=True)
        words = [k.strip() for k in keywords.split(",") if k.strip()]
        entry = await self.bot.ledger.run(do_add_faq, caller, question, answer, words)
        await interaction.response.send_message(
            localized(N_("FAQ entry {id} added."), interaction_locale(interaction), id=entry.id),
            ephemeral=True,
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if (
            message.author.bot
            or not self.bot.serves(message.guild)
            or not self.in_help_channel(message.channel)
            or not looks_like_question(message.content)
        ):
            return
        matches = await self.bot.ledger.run(access_faq_lookup, message.content, limit=1)
        if not matches or not self.cooldown.ready(message.channel.id):
            return
        locale = message.guild.preferred_locale if message.guild else None
        entry = matches[0].entry
        await message.reply(
            localized(N_("This may answer your question:"), locale),
            embed=answer_embed(entry),
            view=suggestion_view(entry, message.author.id, locale),
            mention_author=False,
        )

    def in_help_channel(self, channel: Any) -> bool:
        names = set(self.bot.server.help_channels)
        parent = getattr(channel, "parent", None)
        return getattr(channel, "name", None) in names or (
            parent is not None and parent.name in names
        )


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(FaqCog(bot))
