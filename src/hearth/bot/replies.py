"""Replies: translation into the member's locale, and the bot's one error mapper.

Strings are marked with :func:`hearth.i18n._` where they are written (so the catalog sees
them) and passed through :func:`localized` with the locale Discord gives for the member or
the server; a missing catalog falls back to the English source text.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from hearth.errors import HearthError
from hearth.i18n import N_, negotiate, set_language, translations

log = logging.getLogger("hearth.bot")


def language_of(locale: discord.Locale | str | None) -> str | None:
    """Discord's ``en-US`` / ``pt-BR`` as gettext's ``en_US`` / ``pt_BR``."""
    if locale is None:
        return None
    return str(locale.value if isinstance(locale, discord.Locale) else locale).replace("-", "_")


def localized(message: str, locale: discord.Locale | str | None = None, **values: Any) -> str:
    """``message`` (marked with ``_``) in ``locale``'s catalog, formatted with ``values``."""
    text = translations(language_of(locale)).gettext(message)
    return text.format(**values) if values else text


def interaction_locale(interaction: discord.Interaction) -> discord.Locale | None:
    """The member's locale (Discord sends it with every interaction)."""
    return getattr(interaction, "locale", None) or getattr(interaction, "guild_locale", None)


def error_text(error: BaseException, locale: discord.Locale | None = None) -> str:
    """What the member is told when a command fails."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, HearthError):
        return str(error)
    if isinstance(error, app_commands.CheckFailure):
        return localized(N_("You may not use this command here."), locale)
    if isinstance(error, app_commands.CommandOnCooldown):
        return localized(
            N_("Slow down: try again in {seconds} seconds."),
            locale,
            seconds=int(error.retry_after) + 1,
        )
    return localized(N_("Something went wrong; the team has been told."), locale)


async def defer(interaction: discord.Interaction, *, ephemeral: bool = True) -> None:
    """Acknowledge a command at once (Discord wants an answer within 3 seconds) before the
    database work and chat calls; the answer follows with :func:`respond`."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def respond(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    ephemeral: bool = True,
    **kw: Any,
) -> None:
    """Answer a command: the follow-up of a deferred one, else the response itself."""
    text: Any = content if content is not None else discord.utils.MISSING
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=ephemeral, **kw)
    else:
        await interaction.response.send_message(content, ephemeral=ephemeral, **kw)


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    """The bot's error mapper: Hearth's errors become an ephemeral reply; others are logged."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if not isinstance(original, HearthError | app_commands.CheckFailure):
        log.error(
            "command %s failed",
            interaction.command.name if interaction.command else "?",
            exc_info=original,
        )
    text = error_text(error, interaction_locale(interaction))
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


async def reply_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the member what went wrong with a button or menu (the same mapping as commands)."""
    if not isinstance(error, HearthError):
        log.error("component failed", exc_info=error)
    text = error_text(error, interaction_locale(interaction))
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


class HearthView(discord.ui.View):
    """A view answered in the member's language, whose callbacks' errors are answered through
    :func:`reply_error`."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        set_language(negotiate(interaction.locale))
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await reply_error(interaction, error)
