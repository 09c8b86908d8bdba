"""``/staff/playbook``: the playbook in force, as staff read it (the same words as
``hearth playbook show``), with where it came from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from hearth.domain.playbook import Playbook
from hearth.domain.playbook.programs import HealthTarget, PlatformGoal
from hearth.domain.roles import Role
from hearth.errors import HearthError
from hearth.i18n import N_
from hearth.playbooks import load_playbook, playbook_path
from hearth.playbooks.describe import (
    describe_achievement,
    describe_goal,
    describe_help_rule,
    describe_leaderboard,
    describe_requirement,
    describe_rule,
)
from hearth.settings import Settings
from hearth.web.auth import allow
from hearth.web.pages import register_nav, render

register_nav("playbook", N_("Playbook"), "/staff/playbook", Role.staff, order=45)


def playbook_view(playbook: Playbook) -> dict[str, Any]:
    """Everything the page shows, in words."""
    targets = playbook.targets
    goals: list[HealthTarget | PlatformGoal] = [*targets.health, *targets.platforms]
    return {
        "playbook": playbook,
        "rules": [(rule, describe_rule(rule)) for rule in playbook.points.rules],
        "groups": list(playbook.points.groups.items()),
        "helped": [(rule, describe_help_rule(rule)) for rule in playbook.helped],
        "achievements": [(a, describe_achievement(a)) for a in playbook.achievements],
        "tiers": [
            (tier, [describe_requirement(req) for req in tier.requires]) for tier in playbook.tiers
        ],
        "leaderboards": [(b, describe_leaderboard(b)) for b in playbook.leaderboards],
        "goals": [(goal.name, describe_goal(goal)) for goal in goals],
    }


def playbook_router(settings: Settings, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/staff/playbook", dependencies=[allow(Role.staff)])
    def playbook_page(request: Request) -> Response:
        try:
            playbook = load_playbook(settings.playbook)
            source = str(playbook_path(settings.playbook))
        except HearthError as exc:
            return render(
                templates, request, "error.html", {"error": exc}, status_code=exc.http_status
            )
        context = playbook_view(playbook)
        context["source"] = source
        return render(templates, request, "staff_playbook.html", context)

    return router
