"""Moderation on the web: cases and appeals for moderators; a member's own cases and appeals.

Moderators (role ``moderator`` and above) see every case with the member's history across
platforms and the ladder's proposal, and decide appeals. A member sees their own cases (never
reports about them) and appeals one; another member's case answers 404.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.responses import RedirectResponse, Response

from hearth.actions.moderation import (
    check_appeal,
    do_decide_appeal,
    do_resolve_report,
    is_moderator,
)
from hearth.actions.moderation_reads import (
    access_case,
    access_cases,
    access_member_history,
    access_my_cases,
    access_open_appeals,
    access_proposal,
)
from hearth.domain.moderation import CASE_KINDS
from hearth.domain.playbook import Playbook
from hearth.domain.roles import Role
from hearth.i18n import N_, _
from hearth.playbooks import load_playbook
from hearth.settings import Settings
from hearth.web.auth import allow, viewer_of
from hearth.web.pages import register_nav, render

register_nav("my_cases", N_("My cases"), "/cases", Role.member, order=75)
register_nav("moderation", N_("Moderation"), "/moderation", Role.moderator, order=26)

ACTION_LABELS = {
    "warning": N_("warning"),
    "timeout": N_("timeout"),
    "temporary_ban": N_("temporary ban"),
    "permanent_ban": N_("permanent ban"),
    "report": N_("report"),
    "unban": N_("unban"),
}


def _back(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?notice={quote(notice)}", 303)


def moderation_router(settings: Settings, engine: Engine, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @cache
    def playbook() -> Playbook:
        return load_playbook(settings.playbook)

    def labels() -> dict[str, object]:
        return {"action_labels": {k: _(v) for k, v in ACTION_LABELS.items()}}

    @router.get("/cases", dependencies=[allow(Role.member)])
    def my_cases(request: Request, notice: str | None = None) -> Response:
        cases = access_my_cases(engine, viewer_of(request).caller)
        return render(
            templates, request, "my_cases.html", {"cases": cases, "notice": notice, **labels()}
        )

    @router.post("/cases/{case_id}/appeal", dependencies=[allow(Role.member)])
    def appeal(
        request: Request, case_id: int, text: Annotated[str, Form(max_length=2000)]
    ) -> Response:
        check_appeal(engine, viewer_of(request).caller, case_id, text)
        return _back(
            "/cases", _("Your appeal of case {id} is with the moderators.").format(id=case_id)
        )

    @router.get("/moderation", dependencies=[allow(Role.moderator)])
    def cases_page(
        request: Request, action: str = "", state: str = "", notice: str | None = None
    ) -> Response:
        caller = viewer_of(request).caller
        cases = access_cases(
            engine,
            caller,
            action=action if action in CASE_KINDS else None,
            state=state if state in ("open", "closed") else None,
        )
        appeals = access_open_appeals(engine, caller)
        return render(
            templates,
            request,
            "mod_cases.html",
            {
                "cases": cases,
                "appeals": appeals,
                "filters": {"action": action, "state": state},
                "notice": notice,
                **labels(),
            },
        )

    @router.get("/moderation/cases/{case_id}", dependencies=[allow(Role.moderator)])
    def case_page(request: Request, case_id: int, notice: str | None = None) -> Response:
        caller = viewer_of(request).caller
        case = access_case(engine, caller, case_id)
        history = access_member_history(engine, caller, case.member_id)
        standing = access_proposal(engine, caller, playbook(), case.member_id)
        others = access_cases(engine, caller, member_id=case.member_id)
        return render(
            templates,
            request,
            "mod_case.html",
            {
                "case": case,
                "history": history,
                "standing": standing,
                "others": others,
                "notice": notice,
                "moderator": is_moderator(caller),
                **labels(),
            },
        )

    @router.post("/moderation/appeals/{appeal_id}", dependencies=[allow(Role.moderator)])
    def decide(
        request: Request,
        appeal_id: int,
        outcome: Annotated[str, Form(max_length=10)],
        decision: Annotated[str, Form(max_length=2000)],
        case_id: Annotated[int, Form(ge=1)],
    ) -> Response:
        do_decide_appeal(
            engine, viewer_of(request).caller, playbook(), appeal_id, outcome == "accept", decision
        )
        return _back(f"/moderation/cases/{case_id}", _("Appeal {id} decided.").format(id=appeal_id))

    @router.post("/moderation/cases/{case_id}/resolve", dependencies=[allow(Role.moderator)])
    def resolve(request: Request, case_id: int) -> Response:
        do_resolve_report(engine, viewer_of(request).caller, case_id)
        return _back(f"/moderation/cases/{case_id}", _("Report closed."))

    return router
