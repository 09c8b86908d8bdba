"""The bot's cogs, one per concern; :mod:`hearth.bot.registry` lists the ones loaded."""
