"""``hearth import discord-export``: DiscordChatExporter CSV and JSON files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hearth.cli.app import import_app, run_ingest, state_of
from hearth.i18n import _


@import_app.command("discord-export")
def import_discord_export(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help=_("A DiscordChatExporter .csv or .json file, or a folder of channel files.")
        ),
    ],
    timezone: Annotated[
        str,
        typer.Option(
            "--timezone",
            help=_(
                "Time zone of dates written without one (all CSV dates): the zone of the "
                "machine that ran the export, as an IANA name such as Europe/Paris."
            ),
            metavar="ZONE",
        ),
    ] = "UTC",
    bot: Annotated[
        list[str] | None,
        typer.Option(
            "--bot",
            help=_("An author to flag as a bot: user id, name or name#1234 (repeatable)."),
            metavar="NAME",
        ),
    ] = None,
    guess_bots: Annotated[
        bool,
        typer.Option(
            "--guess-bots/--no-guess-bots",
            help=_(
                "In CSV files, which have no bot flag, take authors whose name ends in 'bot' "
                "and webhooks (#0000) for bots."
            ),
        ),
    ] = True,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel",
            help=_(
                "Channel name for files not named the way DiscordChatExporter names them "
                "(default: the folder's name for numbered parts, else the file's name)."
            ),
            metavar="NAME",
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option(
            "--date-format",
            help=_("strptime format of CSV dates in an unusual form, e.g. '%d/%m/%Y %H:%M'."),
            metavar="FORMAT",
        ),
    ] = None,
) -> None:
    """Import a DiscordChatExporter export (format: docs/connectors/discord-export.md)."""
    from hearth.connectors.discord_export.common import BotRules, ExportOptions, load_timezone
    from hearth.connectors.discord_export.export import parse_export

    options = ExportOptions(
        zone=load_timezone(timezone),
        bots=BotRules(bot or (), guess=guess_bots),
        channel=channel,
        date_format=date_format,
    )
    records = parse_export(path, options)
    run_ingest(
        state_of(ctx), records, _("Importing {name}").format(name=path.resolve().name or path), None
    )
