"""Staff pages: identity-link suggestions, NPS answers, API tokens; accounts for admins.

Each form posts to its own address and redirects back (post/redirect/get) with a short notice
in the query string; the actions do the checking and the audit.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.responses import RedirectResponse, Response

from hearth.actions.accounts import access_accounts, check_set_role
from hearth.actions.members import do_merge
from hearth.actions.metrics import check_record_nps
from hearth.actions.sessions import access_api_tokens, check_create_api_token, do_revoke_api_token
from hearth.actions.suggestions import access_open_suggestions, do_reject_suggestion
from hearth.domain.roles import ACCOUNT_ROLES, Role
from hearth.errors import NotAuthenticated
from hearth.i18n import N_, _
from hearth.settings import Settings
from hearth.web.auth import allow, viewer_of
from hearth.web.pages import register_nav, render

register_nav("accounts", N_("Accounts"), "/admin/accounts", Role.admin, order=60)


def _back(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?notice={quote(notice)}", 303)


def staff_router(settings: Settings, engine: Engine, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    del settings

    @router.get("/staff/identities", dependencies=[allow(Role.staff)])
    def identities_page(request: Request, notice: str | None = None) -> Response:
        caller = viewer_of(request).caller
        suggestions = access_open_suggestions(engine, caller, limit=50)
        return render(
            templates,
            request,
            "staff_identities.html",
            {"suggestions": suggestions, "notice": notice},
        )

    @router.post("/staff/identities/merge", dependencies=[allow(Role.staff)])
    def merge(
        request: Request,
        source: Annotated[int, Form(ge=1)],
        target: Annotated[int, Form(ge=1)],
    ) -> Response:
        move = do_merge(engine, viewer_of(request).caller, source, target, reason=_("staff review"))
        return _back(
            "/staff/identities",
            _(
                "Member {s} was merged into member {t} (undo: hearth identities unmerge {m})."
            ).format(s=source, t=target, m=move),
        )

    @router.post("/staff/identities/reject", dependencies=[allow(Role.staff)])
    def reject(
        request: Request,
        member_a: Annotated[int, Form(ge=1)],
        member_b: Annotated[int, Form(ge=1)],
    ) -> Response:
        do_reject_suggestion(engine, viewer_of(request).caller, member_a, member_b)
        return _back(
            "/staff/identities",
            _("Members {a} and {b} will not be suggested again.").format(a=member_a, b=member_b),
        )

    @router.get("/staff/nps", dependencies=[allow(Role.staff)])
    def nps_page(request: Request, notice: str | None = None) -> Response:
        return render(templates, request, "staff_nps.html", {"notice": notice})

    @router.post("/staff/nps", dependencies=[allow(Role.staff)])
    def record_nps(
        request: Request,
        score: Annotated[str, Form(max_length=4)],
        member_id: Annotated[str, Form(max_length=20)] = "",
        comment: Annotated[str, Form(max_length=5000)] = "",
    ) -> Response:
        member = member_id.strip()
        answer = check_record_nps(
            engine,
            viewer_of(request).caller,
            int(member) if member.isdigit() else None,
            score,
            comment or None,
        )
        return _back("/staff/nps", _("Answer {id} recorded.").format(id=answer))

    @router.get("/staff/tokens", dependencies=[allow(Role.staff)])
    def tokens_page(request: Request, notice: str | None = None) -> Response:
        tokens = access_api_tokens(engine, viewer_of(request).caller)
        return render(templates, request, "staff_tokens.html", {"tokens": tokens, "notice": notice})

    @router.post("/staff/tokens", dependencies=[allow(Role.staff)])
    def create_token(request: Request, name: Annotated[str, Form(max_length=200)]) -> Response:
        viewer = viewer_of(request)
        if viewer.account is None:
            raise NotAuthenticated(_("Sign in to see this page."))
        token = check_create_api_token(engine, viewer.caller, viewer.account.id, name)
        tokens = access_api_tokens(engine, viewer.caller)
        return render(
            templates,
            request,
            "staff_tokens.html",
            {"tokens": tokens, "new_token": token, "notice": None},
            headers={"Cache-Control": "no-store"},
        )

    @router.post("/staff/tokens/{token_id}/revoke", dependencies=[allow(Role.staff)])
    def revoke_token(request: Request, token_id: int) -> Response:
        do_revoke_api_token(engine, viewer_of(request).caller, token_id)
        return _back("/staff/tokens", _("Token {id} revoked.").format(id=token_id))

    @router.get("/admin/accounts", dependencies=[allow(Role.admin)])
    def accounts_page(request: Request, notice: str | None = None) -> Response:
        rows = access_accounts(engine, viewer_of(request).caller)
        return render(
            templates,
            request,
            "admin_accounts.html",
            {"accounts": rows, "roles": ACCOUNT_ROLES, "notice": notice},
        )

    @router.post("/admin/accounts/{account_id}/role", dependencies=[allow(Role.admin)])
    def set_role(
        request: Request, account_id: int, role: Annotated[str, Form(max_length=20)]
    ) -> Response:
        check_set_role(engine, viewer_of(request).caller, account_id, role)
        return _back(
            "/admin/accounts", _("Account {id} is now {role}.").format(id=account_id, role=role)
        )

    return router
