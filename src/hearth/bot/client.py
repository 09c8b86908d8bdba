"""The bot itself: :func:`build_bot` makes a :class:`HearthBot` from explicit settings."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord
from discord.ext import commands
from sqlalchemy import Engine

from hearth.bot.ledger import Ledger
from hearth.bot.locales import MemberLocales, remember_interaction
from hearth.bot.registry import registered_cogs
from hearth.bot.replies import on_app_command_error
from hearth.bot.role_changes import ExpectedRoleChanges
from hearth.domain.playbook.schema import Playbook
from hearth.domain.playbook.server import Server
from hearth.i18n import negotiate, set_language
from hearth.settings import Settings

log = logging.getLogger("hearth.bot")


def bot_intents() -> discord.Intents:
    """Guilds, messages, reactions, plus the two privileged intents the bot needs: members
    (joins, leaves, roles) and message content (lengths, FAQ and code help)."""
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return intents


class HearthTree(discord.app_commands.CommandTree["HearthBot"]):
    """The command tree: each interaction is answered in the member's language."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        set_language(negotiate(interaction.locale))
        return True


class HearthBot(commands.Bot):
    """discord.py's bot with Hearth's settings, engine, playbook and ledger attached."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine,
        playbook: Playbook,
        cogs: Sequence[str],
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True),
            tree_cls=HearthTree,
        )
        self.settings = settings
        self.engine = engine
        self.playbook = playbook
        self.ledger = Ledger(engine, batch_size=min(settings.ingest_batch_size, 500))
        self.cog_modules = tuple(cogs)
        # The role changes the bot is making, whose gateway echo is not recorded again.
        self.expected_role_changes = ExpectedRoleChanges()
        # Each member's locale as their latest interaction said (for DMs others cause).
        self.member_locales = MemberLocales()
        self.tree.error(on_app_command_error)  # sets the tree's on_error handler

    @property
    def server(self) -> Server:
        """The playbook's ``server:`` section (an empty one when it has none)."""
        return self.playbook.server or Server()

    def serves(self, guild: discord.Guild | None) -> bool:
        """Whether the bot acts in ``guild`` (every guild unless one is configured)."""
        wanted = self.settings.discord_guild_id
        return guild is not None and (wanted is None or guild.id == wanted)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        remember_interaction(self, interaction)

    async def setup_hook(self) -> None:
        for module in self.cog_modules:
            await self.load_extension(module)
        log.info("cogs loaded: %s", ", ".join(self.cogs))
        if self.settings.discord_sync_commands:
            if self.settings.discord_guild_id is not None:
                guild = discord.Object(id=self.settings.discord_guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
            else:
                synced = await self.tree.sync()
            log.info("slash commands synced: %d", len(synced))

    async def close(self) -> None:
        await super().close()
        self.ledger.close()


def build_bot(
    settings: Settings,
    *,
    engine: Engine | None = None,
    playbook: Playbook | None = None,
    cogs: Sequence[str] | None = None,
) -> HearthBot:
    """The bot for ``settings``: its engine, playbook and cogs (the registered ones unless
    ``cogs`` is given). Nothing connects until it is started."""
    if engine is None:
        from hearth.store.db import create_engine

        engine = create_engine(settings.database_url)
    if playbook is None:
        from hearth.playbooks.loader import load_playbook

        playbook = load_playbook(settings.playbook)
    return HearthBot(
        settings,
        engine=engine,
        playbook=playbook,
        cogs=registered_cogs() if cogs is None else cogs,
    )
