"""``hearth export ...``: member data."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from hearth.actions.context import Caller
from hearth.cli.app import export_app, state_of
from hearth.i18n import _


class ExportFormat(StrEnum):
    jsonl = "jsonl"


@export_app.command("members")
def export_members(
    ctx: typer.Context,
    format: Annotated[
        ExportFormat, typer.Option("--format", help=_("Output format."))
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=_("Write to this file instead of standard output.")),
    ] = None,
) -> None:
    """Export every member: identities, points, achievements, tier and activity counts."""
    from hearth.actions.export import access_member_export
    from hearth.cli.standing import playbook_in_force

    state = state_of(ctx)
    engine = state.engine()
    playbook = playbook_in_force(state)
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for row in access_member_export(engine, Caller.operator(), playbook):
            stream.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    finally:
        if output:
            stream.close()
