"""The JSON API under ``/api/v1``: members, metrics, activities; its OpenAPI schema.

Clients authenticate with a staff API token (``Authorization: Bearer hth_...``, made on
``/staff/tokens``); a signed-in browser session works too. Lists are paginated by id (keyset):
pass the ``next_after`` of a page as ``after`` to get the next one; rows that arrive meanwhile
do not shift the pages. Errors are ``{"error": {"code", "message"}}`` with the HTTP status of
the typed error (``errors.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPBearer
from pydantic import BaseModel
from sqlalchemy import Engine

from hearth import __version__
from hearth.actions.dashboard import DashboardQuery, ResultCache, access_dashboard
from hearth.actions.listing import access_activity_page, access_member_page
from hearth.domain.roles import Role
from hearth.settings import Settings
from hearth.web.auth import allow, viewer_of
from hearth.web.dashboard import playbook_goals

MAX_ID = 2**53
Period = Literal["30d", "90d", "365d", "all"]
Platform = Literal["discord", "discourse", "github", "stackexchange", "git"]
bearer = HTTPBearer(auto_error=False, description="A staff API token (made on /staff/tokens).")


class Identity(BaseModel):
    platform: str
    external_id: str
    handle: str | None


class Member(BaseModel):
    id: int
    display_name: str
    is_bot: bool
    is_staff: bool
    created_at: datetime
    identities: list[Identity]
    activities: int


class MemberPage(BaseModel):
    members: list[Member]
    next_after: int | None


class Activity(BaseModel):
    id: int
    platform: str
    source_id: str
    kind: str
    occurred_at: datetime
    actor_member_id: int | None
    target_type: str | None
    target_id: str | None
    target_owner_member_id: int | None
    properties: dict[str, Any]


class ActivityPage(BaseModel):
    activities: list[Activity]
    next_after: int | None


class Me(BaseModel):
    username: str | None
    role: str
    member_id: int | None


class ErrorBody(BaseModel):
    code: str
    message: str


class Error(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Error} for code in (400, 401, 403, 404, 422, 503)
}


def api_router(settings: Settings, engine: Engine, cache: ResultCache | None = None) -> APIRouter:
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(bearer)], responses=ERRORS)
    metrics_cache = cache or ResultCache()

    @router.get(
        "/me",
        response_model=Me,
        dependencies=[allow(Role.anonymous)],
        openapi_extra={"security": [{}, {"HTTPBearer": []}]},
    )
    def me(request: Request) -> Me:
        """Who the request is authenticated as (``anonymous`` without a token or session)."""
        viewer = viewer_of(request)
        account = viewer.account
        return Me(
            username=account.username if account else None,
            role=viewer.role.value,
            member_id=account.member_id if account else None,
        )

    @router.get("/members", response_model=MemberPage, dependencies=[allow(Role.staff)])
    def members(
        request: Request,
        after: int = Query(0, ge=0, le=MAX_ID, description="Members with a larger id."),
        limit: int = Query(100, ge=1, le=1000),
    ) -> dict[str, Any]:
        """Live members (not merged away, not erased) by id, with identities and activity counts."""
        rows = access_member_page(engine, viewer_of(request).caller, after=after, limit=limit)
        return {"members": rows, "next_after": rows[-1]["id"] if len(rows) == limit else None}

    @router.get("/activities", response_model=ActivityPage, dependencies=[allow(Role.staff)])
    def activities(
        request: Request,
        after: int = Query(0, ge=0, le=MAX_ID, description="Activities with a larger id."),
        limit: int = Query(100, ge=1, le=1000),
        platform: Platform | None = None,
        kind: str | None = Query(None, max_length=64, pattern=r"^[a-z0-9_.]+$"),
        member: int | None = Query(None, ge=1, le=MAX_ID, description="Only this actor."),
    ) -> dict[str, Any]:
        """The ledger, oldest first (by id), optionally for one platform, kind or member."""
        rows = access_activity_page(
            engine,
            viewer_of(request).caller,
            after=after,
            limit=limit,
            platform=platform,
            kind=kind,
            member_id=member,
        )
        return {"activities": rows, "next_after": rows[-1]["id"] if len(rows) == limit else None}

    @router.get("/metrics", dependencies=[allow(Role.staff)])
    def metrics(
        request: Request, period: Period = "90d", platform: Platform | None = None
    ) -> dict[str, Any]:
        """Every health metric for the period (as ``hearth metrics --format json``)."""
        data = access_dashboard(
            engine,
            viewer_of(request).caller,
            metrics_cache,
            DashboardQuery(period=period, platform=platform),
            playbook_goals(settings.playbook),
        )
        report: dict[str, Any] = data["report"]
        return report

    @router.get("/openapi.json", include_in_schema=False, dependencies=[allow(Role.anonymous)])
    def openapi() -> dict[str, Any]:
        return schema()

    def schema() -> dict[str, Any]:
        if not hasattr(router, "_schema"):
            router._schema = get_openapi(  # type: ignore[attr-defined]
                title="Hearth API",
                version=__version__,
                description=__doc__,
                routes=router.routes,
            )
        return router._schema  # type: ignore[attr-defined, no-any-return]

    return router
