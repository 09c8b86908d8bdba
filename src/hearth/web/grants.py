"""The staff page for decisions by hand about one member: ``/staff/members/{id}/grant``.

Four forms — give or take points, award or take back an achievement, grant or withdraw a tier
given by hand, confirm or withdraw a requirement staff vouch for — each with a required reason.
Each calls its action in ``actions/grants.py`` (a ledger activity plus an audit entry), then
catches the derivation up so the member's profile shows the effect at once, and redirects back
with a notice. A refused decision re-renders the page with the error next to its form.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.responses import RedirectResponse, Response

from hearth.actions.derive import do_catch_up
from hearth.actions.grants import (
    do_award_achievement,
    do_confirm_requirement,
    do_grant_points,
    do_grant_tier,
)
from hearth.actions.profiles import access_current_member
from hearth.actions.standing import access_member_standing
from hearth.domain.playbook import Playbook
from hearth.domain.playbook.schema import ManualRequirement
from hearth.domain.roles import Role
from hearth.errors import ConfigError, HearthError, InputError, NotFound
from hearth.i18n import _
from hearth.playbooks import load_playbook
from hearth.settings import Settings
from hearth.web.auth import allow, viewer_of
from hearth.web.pages import render

log = logging.getLogger(__name__)
Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=100)]


def manual_requirements(playbook: Playbook) -> list[tuple[str, str]]:
    """``(key, label)`` of every requirement staff confirm, once each."""
    found: dict[str, str] = {}
    for tier in playbook.tiers:
        for req in tier.requires:
            if isinstance(req, ManualRequirement):
                found.setdefault(req.key, f"{req.label or req.key} ({tier.name})")
    return list(found.items())


def grants_router(settings: Settings, engine: Engine, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    try:
        loaded: Playbook | None = load_playbook(settings.playbook)
    except HearthError:
        log.exception(
            "playbook %r not loaded: the grants page will answer with an error", settings.playbook
        )
        loaded = None

    def playbook() -> Playbook:
        if loaded is None:
            raise ConfigError(
                _("The playbook {name} could not be loaded; see the server log.").format(
                    name=settings.playbook
                )
            )
        return loaded

    def page(
        request: Request,
        member_id: int,
        *,
        notice: str | None = None,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        book = playbook()
        standing = access_member_standing(engine, viewer_of(request).caller, member_id, book)
        return render(
            templates,
            request,
            "staff_grant.html",
            {
                "s": standing,
                "achievements": [(a.key, a.name, a.icon) for a in book.achievements],
                "manual_tiers": [(t.key, t.name) for t in book.tiers if t.manual],
                "requirements": manual_requirements(book),
                "notice": notice,
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    def decide(
        request: Request,
        member_id: int,
        form: str,
        values: dict[str, str],
        act: Callable[[], Any],
        done: str,
    ) -> Response:
        """Run a decision; on success catch up and go back, else show the form's error."""
        if not values.get("reason", "").strip():
            error = _("Give a reason: it is shown to the member and kept in the audit log.")
            return page(request, member_id, errors={form: error}, values=values, status_code=400)
        try:
            act()
        except (InputError, NotFound) as exc:
            return page(
                request, member_id, errors={form: exc.message}, values=values, status_code=400
            )
        do_catch_up(engine, playbook())
        query = urlencode({"notice": done})
        return RedirectResponse(f"/staff/members/{member_id}/grant?{query}", 303)

    @router.get("/staff/members/{member_id}/grant", dependencies=[allow(Role.staff)])
    def grant_page(request: Request, member_id: int, notice: str | None = None) -> Response:
        current = access_current_member(engine, member_id)
        if current != member_id:
            return RedirectResponse(f"/staff/members/{current}/grant", 303)
        return page(request, member_id, notice=notice)

    @router.post("/staff/members/{member_id}/grant/points", dependencies=[allow(Role.staff)])
    def grant_points(
        request: Request, member_id: int, amount: Short = "", reason: Text = ""
    ) -> Response:
        caller = viewer_of(request).caller
        values = {"amount": amount, "reason": reason}
        text = amount.strip().replace("+", "", 1)
        if not text.lstrip("-").isdigit():
            error = _("The amount must be a whole number of points (negative to take points).")
            return page(
                request, member_id, errors={"points": error}, values=values, status_code=400
            )
        number = int(text)
        return decide(
            request,
            member_id,
            "points",
            values,
            lambda: do_grant_points(engine, caller, member_id, number, reason.strip()),
            _("{n:+,} points recorded.").format(n=number),
        )

    @router.post("/staff/members/{member_id}/grant/achievement", dependencies=[allow(Role.staff)])
    def award(
        request: Request,
        member_id: int,
        achievement: Short = "",
        action: Short = "award",
        reason: Text = "",
    ) -> Response:
        caller = viewer_of(request).caller
        revoke = action == "revoke"
        return decide(
            request,
            member_id,
            "achievement",
            {"achievement": achievement, "action": action, "reason": reason},
            lambda: do_award_achievement(
                engine, caller, playbook(), member_id, achievement, reason.strip(), revoke=revoke
            ),
            (_("Achievement taken back.") if revoke else _("Achievement awarded.")),
        )

    @router.post("/staff/members/{member_id}/grant/tier", dependencies=[allow(Role.staff)])
    def grant_tier(
        request: Request,
        member_id: int,
        tier: Short = "",
        action: Short = "grant",
        reason: Text = "",
    ) -> Response:
        caller = viewer_of(request).caller
        revoke = action == "withdraw"
        return decide(
            request,
            member_id,
            "tier",
            {"tier": tier, "action": action, "reason": reason},
            lambda: do_grant_tier(
                engine, caller, playbook(), member_id, tier, reason.strip(), revoke=revoke
            ),
            (_("Tier withdrawn.") if revoke else _("Tier granted.")),
        )

    @router.post("/staff/members/{member_id}/grant/requirement", dependencies=[allow(Role.staff)])
    def confirm(
        request: Request,
        member_id: int,
        requirement: Short = "",
        action: Short = "confirm",
        reason: Text = "",
    ) -> Response:
        caller = viewer_of(request).caller
        confirmed = action != "withdraw"
        return decide(
            request,
            member_id,
            "requirement",
            {"requirement": requirement, "action": action, "reason": reason},
            lambda: do_confirm_requirement(
                engine,
                caller,
                playbook(),
                member_id,
                requirement,
                reason.strip(),
                confirmed=confirmed,
            ),
            (_("Requirement confirmed.") if confirmed else _("Confirmation withdrawn.")),
        )

    return router
