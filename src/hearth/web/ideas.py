"""Feature suggestions, the public roadmap and polls on the web.

Anyone may read the suggestions (``/ideas``, ``/ideas/{id}``), the roadmap (``/roadmap``) and
the polls (``/polls``); members post and vote; staff set statuses, merge duplicates and open
polls. Every form carries the CSRF token and redirects back (post/redirect/get); the actions do
the checking (``actions/ideas.py``, ``actions/polls.py``), so a member who forges a staff form
gets a 403 like any other refusal. While the app runs, ``jobs/workflows.py`` closes the polls
and contests whose time has come.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.responses import RedirectResponse, Response

from hearth.actions.contests import access_contests
from hearth.actions.ideas import (
    access_duplicates,
    access_roadmap,
    access_suggestion,
    access_suggestions,
    check_post_suggestion,
    check_set_status,
    check_vote,
    do_merge_suggestions,
    status_label,
)
from hearth.actions.polls import access_polls, check_create_poll, check_poll_vote, do_close_poll
from hearth.domain.playbook.durations import parse_duration
from hearth.domain.roles import Role
from hearth.domain.voting import ROADMAP_STATUSES, STATUSES
from hearth.errors import HearthError, InputError
from hearth.i18n import N_, _
from hearth.jobs.workflows import WorkflowClock
from hearth.playbooks import load_playbook
from hearth.settings import Settings
from hearth.web.auth import allow, viewer_of
from hearth.web.pages import register_nav, render

register_nav("ideas", N_("Ideas"), "/ideas", Role.anonymous, order=12)
register_nav("roadmap", N_("Roadmap"), "/roadmap", Role.anonymous, order=13)
register_nav("polls", N_("Polls"), "/polls", Role.anonymous, order=14)


def _back(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?notice={quote(notice)}", 303)


def _closing_job(settings: Settings, engine: Engine) -> Any:
    """The router's lifespan: the job that closes due polls and contests runs with the app."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        try:
            playbook = load_playbook(settings.playbook)
        except HearthError:
            logging.getLogger(__name__).exception("playbook %r not loaded", settings.playbook)
            yield
            return
        clock = WorkflowClock(engine, playbook)
        try:
            yield
        finally:
            await asyncio.to_thread(clock.close)

    return lifespan


def ideas_router(settings: Settings, engine: Engine, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False, lifespan=_closing_job(settings, engine))
    context = {"status_label": status_label, "statuses": STATUSES}

    @router.get("/ideas", dependencies=[allow(Role.anonymous)])
    def ideas_page(
        request: Request, sort: str = "top", status: str = "", notice: str | None = None
    ) -> Response:
        caller = viewer_of(request).caller
        found = access_suggestions(
            engine, caller, status=status or None, sort="new" if sort == "new" else "top"
        )
        return render(
            templates,
            request,
            "ideas.html",
            {
                **context,
                "suggestions": found,
                "sort": sort,
                "status": status,
                "notice": notice,
                "contests": access_contests(engine, caller, limit=5),
            },
        )

    @router.post("/ideas", dependencies=[allow(Role.member)])
    def post_idea(
        request: Request,
        title: Annotated[str, Form(max_length=500)],
        body: Annotated[str, Form(max_length=10000)] = "",
    ) -> Response:
        idea = check_post_suggestion(engine, viewer_of(request).caller, title, body, origin="web")
        return _back(f"/ideas/{idea.id}", _("Your suggestion is posted."))

    @router.get("/ideas/{suggestion_id}", dependencies=[allow(Role.anonymous)])
    def idea_page(request: Request, suggestion_id: int, notice: str | None = None) -> Response:
        caller = viewer_of(request).caller
        idea = access_suggestion(engine, caller, suggestion_id)
        return render(
            templates,
            request,
            "idea.html",
            {
                **context,
                "idea": idea,
                "duplicates": access_duplicates(engine, caller, suggestion_id),
                "notice": notice,
            },
        )

    @router.post("/ideas/{suggestion_id}/vote", dependencies=[allow(Role.member)])
    def vote(
        request: Request, suggestion_id: int, value: Annotated[str, Form(max_length=3)]
    ) -> Response:
        idea = check_vote(engine, viewer_of(request).caller, suggestion_id, value)
        return _back(f"/ideas/{idea.id}", _("Your vote is recorded."))

    @router.post("/ideas/{suggestion_id}/status", dependencies=[allow(Role.staff)])
    def set_status(
        request: Request,
        suggestion_id: int,
        status: Annotated[str, Form(max_length=20)],
        reason: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        idea = check_set_status(engine, viewer_of(request).caller, suggestion_id, status, reason)
        return _back(
            f"/ideas/{idea.id}",
            _("The suggestion is now {status}.").format(status=status_label(idea.status)),
        )

    @router.post("/ideas/{suggestion_id}/merge", dependencies=[allow(Role.staff)])
    def merge(request: Request, suggestion_id: int, into: Annotated[int, Form(ge=1)]) -> Response:
        kept = do_merge_suggestions(engine, viewer_of(request).caller, suggestion_id, into)
        return _back(
            f"/ideas/{kept.id}",
            _("Suggestion {id} was merged into this one.").format(id=suggestion_id),
        )

    @router.get("/roadmap", dependencies=[allow(Role.anonymous)])
    def roadmap_page(request: Request) -> Response:
        columns = access_roadmap(engine, viewer_of(request).caller)
        return render(
            templates,
            request,
            "roadmap.html",
            {**context, "columns": [(s, columns[s]) for s in ROADMAP_STATUSES]},
        )

    @router.get("/polls", dependencies=[allow(Role.anonymous)])
    def polls_page(request: Request, notice: str | None = None) -> Response:
        found = access_polls(engine, viewer_of(request).caller)
        return render(templates, request, "polls.html", {"polls": found, "notice": notice})

    @router.post("/polls", dependencies=[allow(Role.staff)])
    def create_poll(
        request: Request,
        question: Annotated[str, Form(max_length=500)],
        options: Annotated[str, Form(max_length=2000)],
        duration: Annotated[str, Form(max_length=20)] = "1d",
        anonymous: Annotated[str, Form(max_length=5)] = "",
    ) -> Response:
        try:
            runs = parse_duration(duration)
        except ValueError:
            raise InputError(
                _("'{value}' is not a duration; try 30m, 2h or 3d.").format(value=duration)
            ) from None
        poll = check_create_poll(
            engine, viewer_of(request).caller, question, options, runs, anonymous=bool(anonymous)
        )
        return _back("/polls", _("Poll {id} is open.").format(id=poll.id))

    @router.post("/polls/{poll_id}/vote", dependencies=[allow(Role.member)])
    def poll_vote(
        request: Request, poll_id: int, option: Annotated[int, Form(ge=0, le=20)]
    ) -> Response:
        check_poll_vote(engine, viewer_of(request).caller, poll_id, option)
        return _back("/polls", _("Your vote is recorded."))

    @router.post("/polls/{poll_id}/close", dependencies=[allow(Role.member)])
    def close_poll(request: Request, poll_id: int) -> Response:
        do_close_poll(engine, viewer_of(request).caller, poll_id)
        return _back("/polls", _("Poll {id} is closed.").format(id=poll_id))

    return router
