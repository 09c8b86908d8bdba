"""The staff dashboard: every health figure against its target, for a chosen period.

``/staff/dashboard`` is the whole page; ``/staff/dashboard/panels`` is the part that changes
with the period and platform, which the page's form swaps in with HTMX (and which the form
also reaches as a normal page without JavaScript). The figures come from
:func:`hearth.actions.dashboard.access_dashboard`, cached while the ledger is unchanged.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import Engine
from starlette.responses import HTMLResponse, Response

from hearth.actions.dashboard import (
    DEFAULT_PERIOD,
    PERIODS,
    DashboardQuery,
    ResultCache,
    access_dashboard,
)
from hearth.domain.playbook.programs import PlatformGoal
from hearth.domain.roles import Role
from hearth.errors import InputError
from hearth.i18n import N_, _, current_language
from hearth.playbooks.loader import load_playbook
from hearth.settings import Settings
from hearth.web.auth import allow, viewer_of
from hearth.web.dashboard_view import PANELS
from hearth.web.pages import render

PERIOD_LABELS = {
    "30d": N_("Last 30 days"),
    "90d": N_("Last 90 days"),
    "365d": N_("Last 12 months"),
    "all": N_("All time"),
}
PLATFORMS = ("discord", "discourse", "github", "stackexchange", "git")


@lru_cache(maxsize=4)
def playbook_goals(playbook: str) -> tuple[PlatformGoal, ...]:
    """The platform goals of the playbook in force (loaded once)."""
    return tuple(load_playbook(playbook).targets.platforms)


def dashboard_router(
    settings: Settings,
    engine: Engine,
    templates: Jinja2Templates,
    cache: ResultCache | None = None,
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    cache = cache or ResultCache()
    rendered = ResultCache()

    def goals() -> tuple[PlatformGoal, ...]:
        return playbook_goals(settings.playbook)

    def panels_html(data: dict[str, Any], query: DashboardQuery) -> Markup:
        """The panels rendered once per result: the same figures give the same HTML."""
        period = data["report"]["period"]

        def build() -> Markup:
            panels = [(panel.key, _(panel.title), panel.build(data)) for panel in PANELS]
            charts = next((ctx for key, _t, ctx in panels if key == "charts"), {})
            chart_json = json.dumps(charts, separators=(",", ":")).replace("</", "<\\/")
            template = templates.env.get_template("dashboard_panels.html")
            return Markup(
                template.render(panels=panels, chart_json=chart_json, report_period=period)
            )

        key = (
            query.period,
            query.platform,
            tuple(data["version"]),
            period["until"],
            current_language(),
        )
        html: Markup = rendered.get(key, build)
        return html

    def context(request: Request, period: str, platform: str | None) -> dict[str, Any]:
        if period not in PERIODS:
            raise InputError(_("Unknown period '{key}'.").format(key=period))
        if platform is not None and platform not in PLATFORMS:
            raise InputError(_("Unknown platform '{p}'.").format(p=platform))
        query = DashboardQuery(period=period, platform=platform)
        data = access_dashboard(
            engine, viewer_of(request).caller, cache, query, goals(), allow_stale=True
        )
        html = panels_html(data, query)
        if data.get("stale"):
            notice = _(
                "These figures are from a little earlier: new activity is being counted. "
                "Reload in a minute for the latest."
            )
            html = Markup('<p class="notice" role="status">{}</p>').format(notice) + html
        return {
            "panels_html": html,
            "period": period,
            "platform": platform or "",
            "periods": {key: _(label) for key, label in PERIOD_LABELS.items()},
            "platforms": PLATFORMS,
        }

    @router.get("/staff/dashboard", dependencies=[allow(Role.staff)])
    def dashboard(
        request: Request,
        period: str = Query(DEFAULT_PERIOD, max_length=10),
        platform: str | None = Query(None, max_length=32),
    ) -> Response:
        return render(
            templates, request, "dashboard.html", context(request, period, platform or None)
        )

    @router.get("/staff/dashboard/panels", dependencies=[allow(Role.staff)])
    def dashboard_panels(
        request: Request,
        period: str = Query(DEFAULT_PERIOD, max_length=10),
        platform: str | None = Query(None, max_length=32),
    ) -> Response:
        html = context(request, period, platform or None)["panels_html"]
        return HTMLResponse(html)

    return router
