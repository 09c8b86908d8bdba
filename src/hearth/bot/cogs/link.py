"""``/link github``: the start of the verified link between a member's Discord and GitHub
accounts.

The bot answers only to the member with a one-time address on the web app
(``HEARTH_PUBLIC_URL``/link/github?token=...), valid for 15 minutes. The token is signed with
the secret key and names the member's Discord account (:mod:`hearth.actions.chat_link`); the
web app has the member sign in with GitHub and links the two (``docs/web.md``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import quote

import discord
from discord import app_commands
from discord.ext import commands

from hearth.actions.chat_link import LIFETIME, issue_link_token
from hearth.bot.replies import interaction_locale, localized
from hearth.connectors.discord_gateway.mapping import PLATFORM
from hearth.i18n import N_, _

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.link")


def link_address(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/link/github?token={quote(token, safe='')}"


class LinkCog(commands.Cog, name="link"):
    """``/link github``."""

    link = app_commands.Group(name="link", description=_("Link another account to yours."))

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot

    @link.command(name="github", description=_("Link your GitHub account (proved by signing in)."))
    async def github(self, interaction: discord.Interaction) -> None:
        locale = interaction_locale(interaction)
        base = self.bot.settings.public_url
        if not base:
            await interaction.response.send_message(
                localized(
                    N_("Linking accounts is not set up here (the web app's address is missing)."),
                    locale,
                ),
                ephemeral=True,
            )
            return
        secret = self.bot.settings.secret_key.get_secret_value()
        address = link_address(base, issue_link_token(secret, PLATFORM, str(interaction.user.id)))
        view = discord.ui.View()
        view.add_item(
            discord.ui.Button(
                style=discord.ButtonStyle.link,
                label=localized(N_("Link GitHub"), locale),
                url=address,
            )
        )
        text = localized(
            N_(
                "Open this link within {minutes} minutes and sign in with GitHub to link your "
                "GitHub account to this Discord account. It works once; do not share it.\n{url}"
            ),
            locale,
            minutes=int(LIFETIME.total_seconds() // 60),
            url=address,
        )
        await interaction.response.send_message(text, view=view, ephemeral=True)


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(LinkCog(bot))
