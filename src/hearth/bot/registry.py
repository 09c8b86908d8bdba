"""The bot's cogs, registered in one place: the built-in ones and extensions alike.

A cog is a module with discord.py's extension entry point, ``async def setup(bot)``, that adds
one :class:`~discord.ext.commands.Cog`. :func:`register_cog` adds a module to the list the bot
loads at start; the built-in cogs are registered below with the same function.
"""

from __future__ import annotations

_COGS: list[str] = []


def register_cog(module: str) -> str:
    """Load the cog in ``module`` (a dotted module name) whenever the bot starts."""
    if module not in _COGS:
        _COGS.append(module)
    return module


def registered_cogs() -> tuple[str, ...]:
    """The modules of every registered cog, in load order."""
    return tuple(_COGS)


# -- built-in cogs, in load order --------------------------------------------------------------
register_cog("hearth.bot.cogs.ingest")  # live ingest and catch-up after downtime
register_cog("hearth.bot.cogs.welcome")  # welcome message, guide by DM, automatic roles
register_cog("hearth.bot.cogs.roles")  # self-service role menus
register_cog("hearth.bot.cogs.faq")  # /faq and suggested answers in help channels
register_cog("hearth.bot.cogs.code")  # code-fence tips
register_cog("hearth.bot.cogs.github")  # GitHub references expanded in chat
register_cog("hearth.bot.cogs.github_feed")  # merged pull requests and releases announced
register_cog("hearth.bot.cogs.link")  # /link github: the verified account link
register_cog("hearth.bot.cogs.derive")  # points and tiers kept current after ingest
register_cog("hearth.bot.cogs.standing")  # /rank, /leaderboard, /achievements, /progress
register_cog("hearth.bot.cogs.thanks")  # /thanks records help, within limits
register_cog("hearth.bot.cogs.announce")  # achievements and tiers earned, announced
register_cog("hearth.bot.cogs.tier_roles")  # tier roles given and taken
register_cog("hearth.bot.cogs.tickets")  # support tickets in private threads, /solved
register_cog("hearth.bot.cogs.ideas")  # /suggest, votes, statuses announced; /poll with results
register_cog("hearth.bot.cogs.moderation")  # /warn, /ban, cases, reports, appeals, automod
