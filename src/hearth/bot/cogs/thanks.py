"""``/thanks @member [reason]``: a member records that another helped them.

It stores a ``thanks.given`` activity (:func:`hearth.actions.thanks.do_thank`: the thanker is
the actor, the thanked member the target owner), within the playbook's limits
(``server.thanks``): not yourself, not a bot, the same member once a day, at most ``per_day``
members a day. Each refusal is answered to the thanker alone. The derivation then catches up
(the derive cog), so the playbook's ``helped:`` rules count it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from hearth.actions.thanks import do_thank
from hearth.bot.replies import interaction_locale, localized
from hearth.connectors.discord_gateway.mapping import person
from hearth.errors import Conflict
from hearth.i18n import N_, _

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot


class ThanksCog(commands.Cog, name="thanks"):
    """``/thanks``."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot

    @app_commands.command(name="thanks", description=_("Thank a member who helped you."))
    @app_commands.describe(member=_("Who helped you."), reason=_("What they helped with."))
    @app_commands.guild_only()
    async def thanks(
        self, interaction: discord.Interaction, member: discord.Member, reason: str | None = None
    ) -> None:
        locale = interaction_locale(interaction)
        if interaction.guild is None:
            raise Conflict(localized(N_("Thanks are given in the server."), locale))
        report = await self.bot.ledger.run(
            do_thank,
            self.bot.playbook,
            person(interaction.user),
            person(member),
            scope=str(interaction.guild.id),
            reason=reason,
        )
        self.bot.ledger.stored(report)
        await interaction.response.send_message(
            localized(
                N_("{thanker} thanked {member} for their help. 💛"),
                locale,
                thanker=interaction.user.mention,
                member=member.mention,
            ),
            allowed_mentions=discord.AllowedMentions(users=[member], roles=False, everyone=False),
        )


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(ThanksCog(bot))
