"""DiscordChatExporter exports (CSV and JSON) as ledger activities.

See :func:`hearth.connectors.discord_export.export.parse_export` and
docs/connectors/discord-export.md.
"""
