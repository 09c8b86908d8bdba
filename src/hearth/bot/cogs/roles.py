"""Self-service role menus: buttons or a select menu, declared in the playbook.

Each ``server.role_menus`` entry becomes a persistent view (its components' ids are stable, so
menus posted before a restart keep working) and, once, a message in its channel. Picking a
role records ``member.role_picked`` (the onboarding funnel's "select role" step); dropping one
records ``member.role_removed``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from hearth.bot.replies import HearthView, interaction_locale, localized
from hearth.bot.role_changes import change_role
from hearth.connectors.discord_gateway.mapping import PLATFORM, person
from hearth.domain.activity import ActivityIn
from hearth.domain.playbook.server import RoleMenu, RoleOption
from hearth.errors import Conflict, NotFound
from hearth.i18n import N_, _

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.roles")
MENU_MARK = "menu:"


class RoleButton(discord.ui.Button["RoleMenuView"]):
    def __init__(self, cog: RolesCog, menu: RoleMenu, option: RoleOption, index: int) -> None:
        super().__init__(
            style=discord.ButtonStyle.secondary,
            label=option.label or option.role,
            emoji=option.emoji,
            custom_id=f"hearth:role:{menu.key}:{index}",
        )
        self.cog, self.menu, self.option = cog, menu, option

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.cog.toggle(interaction, self.menu, self.option.role)


class RoleSelect(discord.ui.Select["RoleMenuView"]):
    def __init__(self, cog: RolesCog, menu: RoleMenu) -> None:
        options = [
            discord.SelectOption(
                label=o.label or o.role, value=o.role, description=o.description, emoji=o.emoji
            )
            for o in menu.roles
        ]
        super().__init__(
            custom_id=f"hearth:roles:{menu.key}",
            placeholder=menu.title,
            min_values=0,
            max_values=min(menu.max_choices or len(options), len(options)),
            options=options,
        )
        self.cog, self.menu = cog, menu

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.cog.choose(interaction, self.menu, set(self.values))


class RoleMenuView(HearthView):
    """A role menu's components; persistent (no timeout, stable ids)."""

    def __init__(self, cog: RolesCog, menu: RoleMenu) -> None:
        super().__init__(timeout=None)
        if menu.style == "select":
            self.add_item(RoleSelect(cog, menu))
        else:
            for index, option in enumerate(menu.roles):
                self.add_item(RoleButton(cog, menu, option, index))


class RolesCog(commands.Cog, name="roles"):
    """Posts the playbook's role menus and answers them."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        for menu in self.bot.server.role_menus:
            self.bot.add_view(RoleMenuView(self, menu))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        for guild in self.bot.guilds:
            if self.bot.serves(guild):
                await self.post_menus(guild)

    async def post_menus(self, guild: discord.Guild) -> int:
        """Post each menu not yet in its channel; returns how many were posted."""
        posted = 0
        for menu in self.bot.server.role_menus:
            channel = discord.utils.get(guild.text_channels, name=menu.channel)
            if channel is None:
                log.warning("role menu %s: no channel %r", menu.key, menu.channel)
                continue
            if await self._already_posted(channel, menu):
                continue
            embed = discord.Embed(title=menu.title, description=menu.description)
            embed.set_footer(text=MENU_MARK + menu.key)
            await channel.send(embed=embed, view=RoleMenuView(self, menu))
            posted += 1
        return posted

    async def _already_posted(self, channel: discord.TextChannel, menu: RoleMenu) -> bool:
        me = channel.guild.me
        async for message in channel.history(limit=100):
            if message.author == me and any(
                e.footer.text == MENU_MARK + menu.key for e in message.embeds
            ):
                return True
        return False

    # -- answering --------------------------------------------------------------------------

    async def toggle(self, interaction: discord.Interaction, menu: RoleMenu, name: str) -> None:
        member, role = self._member_and_role(interaction, name)
        locale = interaction_locale(interaction)
        if role in member.roles:
            await self._change(interaction, member, menu, role, add=False)
            text = localized(N_("You no longer have the role {role}."), locale, role=role.name)
        else:
            await self._change(interaction, member, menu, role, add=True)
            text = localized(N_("You now have the role {role}."), locale, role=role.name)
        await interaction.response.send_message(text, ephemeral=True)

    async def choose(
        self, interaction: discord.Interaction, menu: RoleMenu, chosen: set[str]
    ) -> None:
        member = interaction.user
        assert isinstance(member, discord.Member)
        added, removed = [], []
        for option in menu.roles:
            member, role = self._member_and_role(interaction, option.role)
            has = role in member.roles
            if option.role in chosen and not has:
                await self._change(interaction, member, menu, role, add=True)
                added.append(role.name)
            elif option.role not in chosen and has:
                await self._change(interaction, member, menu, role, add=False)
                removed.append(role.name)
        locale = interaction_locale(interaction)
        if not added and not removed:
            text = localized(N_("Your roles are unchanged."), locale)
        else:
            text = localized(
                N_("Roles added: {added}. Roles removed: {removed}."),
                locale,
                added=", ".join(added) or "-",
                removed=", ".join(removed) or "-",
            )
        await interaction.response.send_message(text, ephemeral=True)

    def _member_and_role(
        self, interaction: discord.Interaction, name: str
    ) -> tuple[discord.Member, discord.Role]:
        member = interaction.user
        if not isinstance(member, discord.Member) or interaction.guild is None:
            raise Conflict(_("Role menus work in the server, not in direct messages."))
        role = discord.utils.get(interaction.guild.roles, name=name)
        if role is None:
            raise NotFound(_("The role {role} does not exist on this server.").format(role=name))
        return member, role

    async def _change(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        menu: RoleMenu,
        role: discord.Role,
        *,
        add: bool,
    ) -> None:
        reason = _("Role menu {menu}").format(menu=menu.key)
        await change_role(self.bot, member, role, add=add, reason=reason)
        await self.bot.ledger.record_one(
            ActivityIn(
                platform=PLATFORM,
                source_id=f"{interaction.id}:role:{role.id}",
                kind="member.role_picked" if add else "member.role_removed",
                occurred_at=datetime.now(UTC),
                actor=person(member),
                properties={"role": role.name, "menu": menu.key},
            )
        )


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(RolesCog(bot))
