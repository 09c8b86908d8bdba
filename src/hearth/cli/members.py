"""``hearth member ...``: one person across platforms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hearth.actions.context import Caller
from hearth.cli.app import member_app, out, state_of
from hearth.errors import InputError
from hearth.i18n import _


@member_app.command("list")
def member_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help=_("How many members."))] = 20,
) -> None:
    """The most active members."""
    from hearth.actions.reads import access_top_members

    rows = access_top_members(state_of(ctx).engine(), Caller.operator(), limit=limit)
    table = Table(_("id"), _("name"), _("activities"), _("flags"))
    for row in rows:
        flags = ", ".join(f for f, on in (("bot", row["is_bot"]), ("staff", row["is_staff"])) if on)
        table.add_row(str(row["id"]), row["display_name"], f"{row['total']:,}", flags)
    out.print(table)


@member_app.command("merge")
def member_merge(
    ctx: typer.Context,
    source: Annotated[int, typer.Argument(help=_("The member to merge away."))],
    target: Annotated[int, typer.Argument(help=_("The member who remains."))],
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why (kept in the audit log)."))
    ] = None,
) -> None:
    """Merge one member into another (undo with 'hearth member unmerge')."""
    from hearth.actions.members import do_merge

    move = do_merge(state_of(ctx).engine(), Caller.operator(), source, target, reason)
    out.print(
        _("Merged member {s} into {t} (merge {m}; undo with 'hearth member unmerge {m}').").format(
            s=source, t=target, m=move
        )
    )


@member_app.command("link")
def member_link(
    ctx: typer.Context,
    identity: Annotated[int, typer.Argument(help=_("The identity id."))],
    member: Annotated[int, typer.Argument(help=_("The member it belongs to."))],
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why (kept in the audit log)."))
    ] = None,
) -> None:
    """Link an identity to a member."""
    from hearth.actions.members import do_link_identity

    move = do_link_identity(state_of(ctx).engine(), Caller.operator(), identity, member, reason)
    out.print(
        _("Linked identity {i} to member {m} (link {l}).").format(i=identity, m=member, l=move)
    )


@member_app.command("unmerge")
def member_unmerge(
    ctx: typer.Context,
    move: Annotated[int, typer.Argument(help=_("The merge or link id that merge/link printed."))],
) -> None:
    """Undo a merge or a link."""
    from hearth.actions.members import do_unmerge

    do_unmerge(state_of(ctx).engine(), Caller.operator(), move)
    out.print(_("Undid merge {m}.").format(m=move))


@member_app.command("flag")
def member_flag(
    ctx: typer.Context,
    member: Annotated[int, typer.Argument(help=_("The member id."))],
    bot: Annotated[
        bool | None, typer.Option("--bot/--not-bot", help=_("Mark as a bot, or not."))
    ] = None,
    staff: Annotated[
        bool | None, typer.Option("--staff/--not-staff", help=_("Mark as staff, or not."))
    ] = None,
) -> None:
    """Flag a member as a bot or staff (left out of health metrics by default)."""
    from hearth.actions.members import do_flag

    do_flag(state_of(ctx).engine(), Caller.operator(), member, is_bot=bot, is_staff=staff)
    out.print(_("Updated member {m}.").format(m=member))


@member_app.command("erase")
def member_erase(
    ctx: typer.Context,
    member: Annotated[int, typer.Argument(help=_("The member id."))],
    yes: Annotated[bool, typer.Option("--yes", help=_("Do not ask for confirmation."))] = False,
) -> None:
    """Erase a member's personal data: identities and own activities (cannot be undone)."""
    from hearth.actions.privacy import do_erase_member

    if not yes:
        typer.confirm(
            _("Erase member {m}? Their identities and activities are deleted for good.").format(
                m=member
            ),
            abort=True,
        )
    done = do_erase_member(state_of(ctx).engine(), Caller.operator(), member)
    out.print(
        _("Erased member {m}: {i} identities, {a} activities deleted, {d} detached.").format(
            m=member, i=done["identities"], a=done["activities"], d=done["detached"]
        )
    )


@member_app.command("data")
def member_data(
    ctx: typer.Context,
    member: Annotated[int, typer.Argument(help=_("The member id."))],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=_("Write the document to this file.")),
    ] = None,
) -> None:
    """Everything Hearth keeps about a member, as one JSON document (their right of access)."""
    from hearth.actions.member_data import access_member_data
    from hearth.cli.standing import playbook_in_force

    state = state_of(ctx)
    document = access_member_data(
        state.engine(), Caller.operator(), member, playbook_in_force(state)
    )
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        out.print_json(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(
            _("Cannot write {path}: {error}").format(path=output, error=exc.strerror or exc)
        ) from None
    out.print(_("Wrote the data of member {m} to {path}.").format(m=member, path=output))
