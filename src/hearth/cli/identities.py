"""``hearth identities ...``: one person across platforms, decided by staff."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from hearth.actions.context import Caller
from hearth.cli.app import app, out, state_of
from hearth.cli.members import member_link, member_merge, member_unmerge
from hearth.i18n import _

identities_app = typer.Typer(
    help=_("Identities: suggest likely pairs, then link, merge or unmerge."), no_args_is_help=True
)
app.add_typer(identities_app, name="identities")

EVIDENCE = {
    "same_email": _("same e-mail"),
    "github_noreply": _("GitHub no-reply address"),
    "same_handle": _("same handle"),
    "same_name": _("same name"),
}


class Format(StrEnum):
    table = "table"
    jsonl = "jsonl"


@identities_app.command("suggest")
def suggest(
    ctx: typer.Context,
    min_score: Annotated[
        float, typer.Option("--min-score", min=0, max=1, help=_("Weakest evidence to list."))
    ] = 0.5,
    limit: Annotated[int, typer.Option("--limit", min=1, help=_("How many pairs."))] = 50,
    format: Annotated[Format, typer.Option("--format", help=_("Output format."))] = Format.table,
) -> None:
    """List members who are likely one person, with the evidence. Nothing is merged."""
    from hearth.actions.linking import access_identity_suggestions

    found = access_identity_suggestions(
        state_of(ctx).engine(), Caller.operator(), min_score=min_score
    )[:limit]
    if format is Format.jsonl:
        for row in found:
            out.print(json.dumps(row, ensure_ascii=False), highlight=False, markup=False)
        return
    if not found:
        out.print(_("No likely pairs found."))
        return
    table = Table(_("score"), _("member"), _("accounts"), _("member"), _("accounts"), _("evidence"))
    for row in found:
        evidence = "; ".join(
            f"{EVIDENCE.get(e['kind'], e['kind'])}: {e['detail']}" for e in row["evidence"]
        )
        table.add_row(
            f"{row['score']:.2f}",
            f"{row['member_a']} {row['name_a']}",
            ", ".join(row["accounts_a"]),
            f"{row['member_b']} {row['name_b']}",
            ", ".join(row["accounts_b"]),
            evidence,
        )
    out.print(table)
    out.print(_("Decide with 'hearth identities merge A B' or 'hearth identities link ID M'."))


identities_app.command("link")(member_link)
identities_app.command("merge")(member_merge)
identities_app.command("unmerge")(member_unmerge)
