"""``hearth tickets ...`` and ``hearth cases ...``: the support queue and moderation cases
from the command line (operators: staff rights), and their scheduled jobs for cron."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hearth.actions.context import Caller
from hearth.cli.app import app, out, state_of
from hearth.i18n import _

tickets_app = typer.Typer(
    help=_("Support tickets: list, show, close; the sweep."), no_args_is_help=True
)
cases_app = typer.Typer(help=_("Moderation cases: list; lift ended bans."), no_args_is_help=True)
app.add_typer(tickets_app, name="tickets")
app.add_typer(cases_app, name="cases")

AsJson = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of a table."))]


def _playbook(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from hearth.playbooks.loader import load_playbook

    return load_playbook(state_of(ctx).settings.playbook)


@tickets_app.command("list")
def tickets_list(
    ctx: typer.Context,
    state: Annotated[str, typer.Option(help=_("open, closed or all."))] = "open",
    category: Annotated[str | None, typer.Option(help=_("Only this category."))] = None,
    target: Annotated[
        str | None,
        typer.Option(help=_("Only this target status: pending, due_soon, overdue, met, missed.")),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The ticket queue, most urgent first."""
    from hearth.actions.ticket_reads import access_ticket_queue

    rows = access_ticket_queue(
        state_of(ctx).engine(),
        Caller.operator(),
        _playbook(ctx),
        state=None if state == "all" else state,
        category=category,
        target=target,
    )
    if as_json:
        for row in rows:
            out.print(json.dumps(row.as_dict(), ensure_ascii=False), soft_wrap=True)
        return
    table = Table("#", _("Subject"), _("Member"), _("Category"), _("State"), _("Target"), _("Due"))
    for t in rows:
        table.add_row(
            str(t.id),
            t.subject,
            f"{t.member_name} (#{t.member_id})",
            t.category_name,
            t.state,
            t.target,
            f"{t.due_at:%Y-%m-%d %H:%M}",
        )
    out.print(table)


@tickets_app.command("show")
def tickets_show(
    ctx: typer.Context,
    ticket_id: Annotated[int, typer.Argument(help=_("The ticket's number."))],
    as_json: AsJson = False,
) -> None:
    """A ticket with its transcript."""
    from hearth.actions.ticket_reads import access_ticket, access_transcript

    engine = state_of(ctx).engine()
    ticket = access_ticket(engine, Caller.operator(), _playbook(ctx), ticket_id)
    lines = access_transcript(engine, Caller.operator(), ticket_id)
    if as_json:
        data = ticket.as_dict()
        data["transcript"] = [
            {
                "author": line.author_name,
                "staff": line.staff,
                "at": line.at.isoformat(),
                "body": line.body,
            }
            for line in lines
        ]
        out.print(json.dumps(data, ensure_ascii=False), soft_wrap=True)
        return
    out.print(Text(f"#{ticket.id} {ticket.subject}", style="bold"))
    out.print(
        Text(
            _(
                "{member} · {category} · {state} · target {target} (due {due:%Y-%m-%d %H:%M} UTC)"
            ).format(
                member=ticket.member_name,
                category=ticket.category_name,
                state=ticket.state,
                target=ticket.target,
                due=ticket.due_at,
            )
        )
    )
    for line in lines:
        staff = _(" (staff)") if line.staff else ""
        out.print(
            Text(f"{line.at:%Y-%m-%d %H:%M} {line.author_name}{staff}: ", style="dim"),
            Text(line.body),
        )


@tickets_app.command("close")
def tickets_close(
    ctx: typer.Context,
    ticket_id: Annotated[int, typer.Argument(help=_("The ticket's number."))],
    reason: Annotated[str, typer.Option(help=_("solved, staff or member."))] = "staff",
) -> None:
    """Close a ticket."""
    from hearth.actions.tickets import do_close_ticket

    do_close_ticket(state_of(ctx).engine(), Caller.operator(), ticket_id, reason)
    out.print(_("Ticket {id} is closed.").format(id=ticket_id))


@tickets_app.command("sweep")
def tickets_sweep(ctx: typer.Context) -> None:
    """Run the ticket job once: reminders, alerts, inactivity warnings and closes (for cron
    when the bot does not run; only the bot posts reminders in Discord)."""
    from hearth.jobs.tickets import sweep

    for notice in sweep(state_of(ctx).engine(), _playbook(ctx)):
        out.print(f"{notice.step} #{notice.ticket_id} {notice.subject}")


@cases_app.command("list")
def cases_list(
    ctx: typer.Context,
    member: Annotated[int | None, typer.Option(help=_("Only this member's cases."))] = None,
    as_json: AsJson = False,
) -> None:
    """Moderation cases, newest first."""
    from hearth.actions.moderation_reads import access_cases

    rows = access_cases(state_of(ctx).engine(), Caller.operator(), member_id=member)
    if as_json:
        for c in rows:
            out.print(
                json.dumps(
                    {
                        "id": c.id,
                        "member_id": c.member_id,
                        "action": c.action,
                        "reason": c.reason,
                        "created_at": c.created_at.isoformat(),
                        "ends_at": c.ends_at.isoformat() if c.ends_at else None,
                        "voided": c.voided,
                    },
                    ensure_ascii=False,
                ),
                soft_wrap=True,
            )
        return
    table = Table("#", _("Member"), _("Action"), _("Reason"), _("When"), _("Until"))
    for c in rows:
        table.add_row(
            str(c.id),
            f"{c.member_name} (#{c.member_id})",
            c.action,
            c.reason,
            f"{c.created_at:%Y-%m-%d %H:%M}",
            f"{c.ends_at:%Y-%m-%d %H:%M}" if c.ends_at else "",
        )
    out.print(table)


@cases_app.command("lift")
def cases_lift(ctx: typer.Context) -> None:
    """End temporary bans whose time is up (the bot does this every minute; for cron)."""
    from hearth.jobs.moderation import lift_expired

    for lifted in lift_expired(state_of(ctx).engine(), _playbook(ctx)):
        out.print(
            _("Case {case}: the ban of member {member} ended.").format(
                case=lifted.case_id, member=lifted.member_id
            )
        )
