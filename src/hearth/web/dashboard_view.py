"""The dashboard's panels: the health report turned into figures, tables and chart data.

A panel is registered in :data:`PANELS` (the built-in ones the same way as any later one) with
the function that builds its context from the dashboard's data; ``dashboard_panels.html``
renders each in turn with its own template (``panel_<key>.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hearth.i18n import N_, _

STATUS_LABEL = {
    "green": N_("on target"),
    "amber": N_("close"),
    "red": N_("off target"),
    "unknown": N_("no data"),
    "pending": N_("not yet"),
}

# Health targets: what each metric path is called and its unit.
TARGET_LABELS: dict[str, tuple[str, str]] = {
    "time_to_first_response.median_hours": (N_("Time to first response (median)"), "hours"),
    "time_to_first_response.by_type.ticket.median_hours": (
        N_("First reply to tickets (median)"),
        "hours",
    ),
    "resolution_rate": (N_("Resolution rate"), "ratio"),
    "members.growth": (N_("Member growth per month"), "ratio"),
    "members.weekly_active.share": (N_("Weekly active members"), "ratio"),
    "contributors.growth": (N_("Contributor growth per month"), "ratio"),
    "content.per_month": (N_("Content pieces per month"), "count"),
    "nps.score": (N_("Net Promoter Score"), "score"),
    "satisfaction.average": (N_("Ticket satisfaction (1-5)"), "rating"),
}
SERIES_LABELS = {
    "discord_members": N_("Discord members"),
    "discord_active_members": N_("Active Discord members"),
    "github_stars": N_("GitHub stars"),
    "contributors": N_("Contributors"),
    "community_content": N_("Community content"),
    "production_users": N_("Production users"),
}
OPS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def fmt(value: Any, unit: str = "count") -> str:
    """A figure for people: hours with one decimal, ratios as percentages."""
    if value is None:
        return "—"
    if unit == "hours":
        return _("{n} h").format(n=f"{value:,.1f}")
    if unit == "ratio":
        return f"{value * 100:,.1f}%"
    if unit == "rating":
        return f"{value:.2f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _status(status: str) -> dict[str, str]:
    return {"key": status, "label": _(STATUS_LABEL.get(status, status))}


def _epoch(day: str) -> int:
    moment = datetime.combine(date.fromisoformat(day[:10]), datetime.min.time(), UTC)
    return int(moment.timestamp())


def _month_epoch(month: str) -> int:
    return _epoch(month + "-01")


def health_cards(data: dict[str, Any]) -> dict[str, Any]:
    report = data["report"]
    cards = []
    for result in report["targets"]["results"]:
        if result["month"] is not None:
            continue
        label, unit = TARGET_LABELS.get(result["metric"], (result["metric"], "count"))
        cards.append(
            {
                "label": _(label),
                "actual": fmt(result["actual"], unit),
                "target": f"{OPS[result['op']]} {fmt(result['target'], unit)}",
                "status": _status(result["status"]),
            }
        )
    ttfr = report["time_to_first_response"]
    figures = [
        (_("Threads"), fmt(ttfr["threads"])),
        (_("Response rate"), fmt(report["response_rate"], "ratio")),
        (_("First response, 90th percentile"), fmt(ttfr["p90_hours"], "hours")),
        (_("Time to close (median)"), fmt(report["time_to_close"]["median_hours"], "hours")),
        (_("Members"), fmt(report["members"]["total"])),
        (_("New members"), fmt(report["members"]["new"])),
        (_("Active contributors"), fmt(report["contributors"]["active"])),
        (_("Contributor Absence Factor"), fmt(report["bus_factor"])),
        (_("Activities"), fmt(report["activity"]["total"])),
        (_("NPS answers"), fmt(report["nps"]["answers"])),
        (
            _("Ticket satisfaction (1-5)"),
            _("{average} from {n} ratings").format(
                average=fmt(report["satisfaction"]["average"], "rating"),
                n=fmt(report["satisfaction"]["ratings"]),
            ),
        ),
    ]
    by_platform = [
        {
            "platform": name,
            "threads": fmt(row["threads"]),
            "median": fmt(row["median_hours"], "hours"),
            "response_rate": fmt(row.get("response_rate"), "ratio"),
            "resolution_rate": fmt(row.get("resolution_rate"), "ratio"),
        }
        for name, row in sorted(ttfr["by_platform"].items())
    ]
    return {"cards": cards, "figures": figures, "by_platform": by_platform}


def platform_goals(data: dict[str, Any]) -> dict[str, Any]:
    per = {"day": _("a day"), "week": _("a week"), "month": _("a month")}
    rows = []
    for goal in data["platform_goals"]:
        target = (
            f"{OPS[goal['op']]} {fmt(goal['target'])} {per.get(goal['period'] or '', '')}".strip()
            if goal["op"]
            else "—"
        )
        rows.append(
            {
                "name": goal["name"],
                "purpose": goal["purpose"] or "",
                "actual": fmt(goal["actual"]) if goal["measured"] else _("not measured"),
                "target": target,
                "status": _status(goal["status"]),
            }
        )
    return {"rows": rows}


def growth_stages(data: dict[str, Any]) -> dict[str, Any]:
    report = data["report"]
    by_series: dict[str, list[dict[str, Any]]] = {}
    months: list[int] = []
    for result in report["targets"]["results"]:
        if result["month"] is None:
            continue
        series = result["metric"].removeprefix("stages.")
        if result["month"] not in months:
            months.append(result["month"])
        by_series.setdefault(series, []).append(
            {
                "actual": fmt(result["actual"]),
                "target": fmt(result["target"]),
                "status": _status(result["status"]),
            }
        )
    rows = [(_(SERIES_LABELS.get(name, name)), cells) for name, cells in by_series.items()]
    return {"months": sorted(months), "rows": rows, "launch": report["growth_stages"]["launch"]}


def charts(data: dict[str, Any]) -> dict[str, Any]:
    """Chart data for uPlot: x values (Unix seconds) and one list per series."""
    report = data["report"]
    per_day = report["activity"]["per_day"]
    days = sorted(per_day)
    platforms = sorted({p for counts in per_day.values() for p in counts})
    members = report["members"]
    contributors = report["contributors"]
    months = sorted(members["new_by_month"])
    weeks = sorted(members["weekly_active"]["weeks"])
    content = report["content"]["by_month"]
    share_target = _target_value(report, "members.weekly_active.share")
    content_target = _target_value(report, "content.per_month")
    return {
        "activity": {
            "title": _("Activity per day"),
            "x": [_epoch(d) for d in days],
            "series": [
                {"label": p, "values": [per_day[d].get(p, 0) for d in days]} for p in platforms
            ],
        },
        "members": {
            "title": _("Members by month"),
            "x": [_month_epoch(m) for m in months],
            "series": [
                {"label": _("new"), "values": [members["new_by_month"][m] for m in months]},
                {"label": _("total"), "values": [members["total_by_month"][m] for m in months]},
            ],
        },
        "contributors": {
            "title": _("Contributors by month"),
            "x": [_month_epoch(m) for m in months],
            "series": [
                {
                    "label": _("active"),
                    "values": [contributors["active_by_month"].get(m, 0) for m in months],
                },
                {
                    "label": _("new"),
                    "values": [contributors["new_by_month"].get(m, 0) for m in months],
                },
            ],
        },
        "weekly_active": {
            "title": _("Weekly active share"),
            "x": [_epoch(w) for w in weeks],
            "series": [
                {
                    "label": _("share (%)"),
                    "values": [
                        round(members["weekly_active"]["weeks"][w]["share"] * 100, 1) for w in weeks
                    ],
                },
                {
                    "label": _("target (%)"),
                    "values": [round(share_target * 100, 1) if share_target else None] * len(weeks),
                },
            ],
        },
        "content": {
            "title": _("Content pieces by month"),
            "x": [_month_epoch(m) for m in sorted(content)],
            "series": [
                {"label": _("published"), "values": [content[m] for m in sorted(content)]},
                {"label": _("target"), "values": [content_target] * len(content)},
            ],
        },
    }


def _target_value(report: dict[str, Any], metric: str) -> float | None:
    for result in report["targets"]["results"]:
        if result["metric"] == metric and result["month"] is None:
            return float(result["target"])
    return None


def funnel(data: dict[str, Any]) -> dict[str, Any]:
    report = data["report"]["funnel"]
    cohort = report["cohort"] or 0
    names = {
        "joined": _("Joined"),
        "introduced": _("Introduced themselves"),
        "role_picked": _("Picked a role"),
        "first_project": _("First project"),
        "got_help": _("Got help"),
        "contributed": _("Contributed"),
        "champion": _("Champion"),
    }
    steps = [
        {
            "name": names.get(step["step"], step["step"]),
            "reached": fmt(step["reached"]),
            "width": round(100 * step["reached"] / cohort, 1) if cohort else 0,
            "conversion": fmt(step["conversion"], "ratio"),
            "note": step.get("note"),
        }
        for step in report["steps"]
    ]
    return {"cohort": fmt(cohort), "steps": steps}


def topics(data: dict[str, Any]) -> dict[str, Any]:
    popular = data["report"]["popular_topics"]
    groups = [
        (_("Tags"), popular.get("tags", [])),
        (_("Channels"), popular.get("channels", [])),
        (_("Labels"), popular.get("labels", [])),
        (_("Categories"), popular.get("categories", [])),
    ]
    return {"groups": [(label, rows[:8]) for label, rows in groups if rows]}


@dataclass(frozen=True, slots=True)
class Panel:
    key: str
    title: str
    build: Callable[[dict[str, Any]], dict[str, Any]]


PANELS: list[Panel] = []


def register_panel(key: str, title: str, build: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Add a dashboard panel: its template is ``panel_<key>.html``, its context ``build(data)``."""
    PANELS[:] = [p for p in PANELS if p.key != key] + [Panel(key, title, build)]


register_panel("health", N_("Health against targets"), health_cards)
register_panel("charts", N_("Trends"), charts)
register_panel("platforms", N_("Platforms against their goals"), platform_goals)
register_panel("funnel", N_("Onboarding funnel"), funnel)
register_panel("topics", N_("Popular topics"), topics)
register_panel("stages", N_("Growth stages"), growth_stages)
