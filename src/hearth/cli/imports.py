"""``hearth import ...``: activity from files and platforms."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hearth.cli.app import import_app, run_ingest, state_of
from hearth.errors import HearthError
from hearth.i18n import _


@import_app.command("jsonl")
def import_jsonl(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help=_("A JSON Lines file, one activity per line ('-' for standard input).")
        ),
    ],
) -> None:
    """Import activities from a JSON Lines file (format: docs/import-jsonl.md)."""
    from hearth.connectors.jsonl.parser import parse_file, parse_stream

    state = state_of(ctx)
    if str(file) == "-":
        run_ingest(state, parse_stream(sys.stdin, source="<stdin>"), _("Importing"), None)
        return
    if not file.is_file():
        raise HearthError(_("No such file: {path}").format(path=file))
    run_ingest(state, parse_file(file), _("Importing {name}").format(name=file.name), None)


@import_app.command("stackexchange")
def import_stackexchange(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(help=_("A Stack Exchange data dump folder (Posts.xml, Users.xml...)."))
    ],
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            help=_(
                "Prefix ids with this site name (e.g. bicycles.meta) to keep several sites "
                "apart in one ledger."
            ),
        ),
    ] = None,
) -> None:
    """Import a Stack Exchange data dump folder, streamed in bounded memory."""
    from hearth.connectors.stackexchange.dump import parse_dump

    state = state_of(ctx)
    if not folder.is_dir():
        raise HearthError(_("No such folder: {path}").format(path=folder))
    run_ingest(
        state, parse_dump(folder, site=site), _("Importing {name}").format(name=folder.name), None
    )
