"""``hearth metrics`` (community health against its targets) and ``hearth nps record``."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from hearth.actions.context import Caller
from hearth.cli.app import app, out, state_of
from hearth.i18n import _

nps_app = typer.Typer(help=_("Net Promoter Score survey answers."), no_args_is_help=True)
app.add_typer(nps_app, name="nps")

STATUS_STYLE = {
    "green": "bold green",
    "amber": "bold yellow",
    "red": "bold red",
    "unknown": "dim",
    "pending": "dim",
}
TOP_ROWS = 5
TABLE_MONTHS = 12


class MetricsFormat(StrEnum):
    table = "table"
    json = "json"


class TargetsName(StrEnum):
    phoenix = "phoenix"
    atlas = "atlas"


def parse_moment(text: str | None, *, end: bool = False) -> datetime | None:
    """A UTC moment from ``YYYY-MM-DD`` or an ISO 8601 date and time (naive means UTC).

    A bare date as the end of a period includes that whole day (the period ends at the next
    midnight), so ``--since 2024-01-01 --until 2024-01-31`` is all of January.
    """
    if text is None:
        return None
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            _(
                "expected a date such as 2024-01-31 or a time such as 2024-01-31T12:00, not '{v}'"
            ).format(v=text)
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@app.command("metrics")
def metrics_command(
    ctx: typer.Context,
    format: Annotated[
        MetricsFormat, typer.Option("--format", help=_("Output format."))
    ] = MetricsFormat.table,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help=_(
                "Start of the period (a date, or an ISO time; UTC). Default: the first activity."
            ),
            metavar="DATE",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help=_("End of the period, that day included. Default: now."),
            metavar="DATE",
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option("--platform", help=_("Only this platform (discord, github...).")),
    ] = None,
    include_bots: Annotated[
        bool, typer.Option("--include-bots", help=_("Count bots' activity too."))
    ] = False,
    targets: Annotated[
        TargetsName,
        typer.Option("--targets", help=_("Whose targets to compare with (until playbooks do).")),
    ] = TargetsName.phoenix,
) -> None:
    """Community health metrics (CHAOSS definitions, see docs/metrics.md) against targets."""
    from hearth.actions.metrics import access_metrics, target_set

    report = access_metrics(
        state_of(ctx).engine(),
        Caller.operator(),
        since=parse_moment(since),
        until=parse_moment(until, end=True),
        platform=platform,
        include_bots=include_bots,
        targets=target_set(targets.value),
    )
    if format is MetricsFormat.json:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        return
    print_report(report)


@nps_app.command("record")
def nps_record(
    ctx: typer.Context,
    score: Annotated[str, typer.Argument(help=_("How likely to recommend us, from 0 to 10."))],
    member: Annotated[
        int | None,
        typer.Option("--member", help=_("The member who answered (default: anonymous).")),
    ] = None,
    comment: Annotated[
        str | None, typer.Option("--comment", help=_("What they said, if anything."))
    ] = None,
) -> None:
    """Record one NPS survey answer."""
    from hearth.actions.metrics import check_record_nps

    answer = check_record_nps(state_of(ctx).engine(), Caller.operator(), member, score, comment)
    out.print(_("Recorded NPS answer {id}.").format(id=answer))


# -- the table format ----------------------------------------------------------------------


def metric_labels() -> dict[str, str]:
    return {
        "time_to_first_response.median_hours": _("Time to first response (median)"),
        "time_to_first_response.by_type.ticket.median_hours": _(
            "Time to first ticket reply (median)"
        ),
        "resolution_rate": _("Resolution rate"),
        "members.growth": _("Member growth (per month)"),
        "members.weekly_active.share": _("Weekly active members"),
        "contributors.growth": _("Contributor growth (per month)"),
        "content.per_month": _("Content pieces per month"),
        "nps.score": _("Net Promoter Score"),
        "stages.discord_members": _("Discord members"),
        "stages.discord_active_members": _("Active Discord members"),
        "stages.github_stars": _("GitHub stars"),
        "stages.contributors": _("Contributors"),
        "stages.community_content": _("Community content"),
        "stages.production_users": _("Production users"),
    }


def status_labels() -> dict[str, str]:
    return {
        "green": _("on target"),
        "amber": _("close"),
        "red": _("off target"),
        "unknown": _("no data"),
        "pending": _("not yet"),
    }


def fmt(metric: str, value: Any) -> str:
    """A figure for people: hours, percentages, counts."""
    if value is None:
        return "—"
    if metric.endswith("hours"):
        return _("{n:.1f} h").format(n=value)
    if metric.endswith(("rate", "share", "growth")):
        return f"{value * 100:+.1f}%" if metric.endswith("growth") else f"{value * 100:.1f}%"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def print_report(report: dict[str, Any]) -> None:
    period = report["period"]
    out.print(
        _("Community health from {since} to {until}{platform}{bots}.").format(
            since=period["since"][:19],
            until=period["until"][:19],
            platform=_(" on {p}").format(p=period["platform"]) if period["platform"] else "",
            bots=_(", bots included") if period["include_bots"] else "",
        )
    )
    _targets_table(report)
    _threads_table(report)
    _members_table(report)
    _funnel_table(report)
    _activity_table(report)


def _targets_table(report: dict[str, Any]) -> None:
    labels, statuses = metric_labels(), status_labels()
    results = report.get("targets", {}).get("results", [])
    table = Table(
        _("metric"),
        _("actual"),
        _("target"),
        _("status"),
        title=_("Against the {name} targets").format(name=report["targets"]["set"]),
    )
    for result in results:
        metric = result["metric"]
        label = labels.get(metric, metric)
        if result["month"] is not None:
            label = _("{label}, month {n}").format(label=label, n=result["month"])
        status = result["status"]
        table.add_row(
            label,
            fmt(metric, result["actual"]),
            f"{result['op']} {fmt(metric, result['target'])}",
            f"[{STATUS_STYLE[status]}]{statuses[status]}[/]",
        )
    out.print(table)


def _threads_table(report: dict[str, Any]) -> None:
    first = report["time_to_first_response"]
    table = Table(
        _("threads"),
        _("count"),
        _("answered"),
        _("first response, median"),
        _("90th percentile"),
        _("resolved"),
        title=_("Threads asking for attention"),
    )

    def row(name: str, f: dict[str, Any]) -> None:
        table.add_row(
            name,
            f"{f['threads']:,}",
            fmt("response_rate", f["response_rate"]),
            fmt("hours", f["median_hours"]),
            fmt("hours", f["p90_hours"]),
            fmt("resolution_rate", f["resolution_rate"]),
        )

    row(
        _("all"),
        {
            **first,
            "response_rate": report["response_rate"],
            "resolution_rate": report["resolution_rate"],
        },
    )
    for name, figures in first["by_type"].items():
        row(name, figures)
    for name, figures in first["by_platform"].items():
        row(name, figures)
    out.print(table)
    close = report["time_to_close"]
    out.print(
        _("Time to close (median / 90th percentile): {m} / {p}.").format(
            m=fmt("hours", close["median_hours"]), p=fmt("hours", close["p90_hours"])
        )
    )


def _members_table(report: dict[str, Any]) -> None:
    members, contributors = report["members"], report["contributors"]
    months = list(members["new_by_month"])
    title = _("Members and contributors")
    if len(months) > TABLE_MONTHS:
        months = months[-TABLE_MONTHS:]
        title = _("Members and contributors, last {n} months (--format json has all)").format(
            n=TABLE_MONTHS
        )
    table = Table(
        _("month"),
        _("new members"),
        _("members"),
        _("growth"),
        _("active contributors"),
        _("new contributors"),
        title=title,
    )
    for month in months:
        new = members["new_by_month"][month]
        table.add_row(
            month,
            f"{new:,}",
            f"{members['total_by_month'][month]:,}",
            fmt("growth", members["growth_by_month"].get(month)),
            f"{contributors['active_by_month'].get(month, 0):,}",
            f"{contributors['new_by_month'].get(month, 0):,}",
        )
    out.print(table)
    out.print(
        _(
            "Members: {total:,} ({new:,} new). Weekly active: {weekly}. "
            "Contributors active: {active:,} ({cnew:,} new). "
            "Contributor Absence Factor: {bus}. NPS: {nps} ({answers} answers)."
        ).format(
            total=members["total"],
            new=members["new"],
            weekly=fmt("share", members["weekly_active"]["share"]),
            active=contributors["active"],
            cnew=contributors["new"],
            bus=report["bus_factor"] if report["bus_factor"] is not None else "—",
            nps=fmt("score", report["nps"]["score"]),
            answers=report["nps"]["answers"],
        )
    )
    happy = report["satisfaction"]
    out.print(
        _("Ticket satisfaction: {average} of 5 ({n} ratings).").format(
            average=happy["average"] if happy["average"] is not None else "—",
            n=happy["ratings"],
        )
    )


def _funnel_table(report: dict[str, Any]) -> None:
    names = {
        "joined": _("joined"),
        "introduced": _("introduced themselves"),
        "role_picked": _("picked a role"),
        "first_project": _("shared a first project"),
        "got_help": _("got help"),
        "contributed": _("contributed"),
        "champion": _("became a champion"),
    }
    table = Table(
        _("step"), _("members"), _("conversion"), _("did it at all"), title=_("Onboarding funnel")
    )
    for step in report["funnel"]["steps"]:
        if not step["available"]:
            table.add_row(names.get(step["step"], step["step"]), "—", "—", _("not available yet"))
            continue
        table.add_row(
            names.get(step["step"], step["step"]),
            f"{step['members']:,}",
            fmt("rate", step["conversion"]),
            f"{step['reached']:,}",
        )
    out.print(table)


def _activity_table(report: dict[str, Any]) -> None:
    activity, engagement = report["activity"], report["engagement"]
    table = Table(_("platform"), _("activities"), _("per active day"), title=_("Activity"))
    days = max(activity["active_days"], 1)
    for platform, count in activity["by_platform"].items():
        table.add_row(platform, f"{count:,}", f"{count / days:,.1f}")
    out.print(table)
    topics = report["popular_topics"]
    for key, title in (("tags", _("tags")), ("channels", _("channels")), ("labels", _("labels"))):
        if topics[key]:
            shown = ", ".join(f"{t['name']} ({t['count']:,})" for t in topics[key][:TOP_ROWS])
            out.print(_("Popular {what}: {list}.").format(what=title, list=shown))
    out.print(
        _(
            "Engagement per thread: {r} replies, {x} reactions, {v} views. "
            "Content published: {c:,} ({m} a month)."
        ).format(
            r=fmt("n", engagement["replies_per_item"]),
            x=fmt("n", engagement["reactions_per_item"]),
            v=fmt("n", engagement["views_per_item"]),
            c=report["content"]["published"],
            m=fmt("n", report["content"]["per_month"]),
        )
    )
