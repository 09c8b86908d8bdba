"""Discord, live: gateway events (as discord.py objects) mapped to ledger activities.

The bot's ingest cog (``hearth.bot.cogs.ingest``) receives the events; :mod:`.mapping` turns
them into activities with the same mapping as the DiscordChatExporter importer
(:mod:`hearth.connectors.discord_export.common`), so a message seen live and the same message
imported from an export have the same kind, properties and ``source_id``.
"""
