"""The member-facing pages: leaderboards, member profiles and the member directory.

- ``/leaderboards`` — every board of the playbook in force, each in its first window;
  ``/leaderboards/{key}?window=`` — one board in one window. A board's windows are tabs: plain
  links (the page works without JavaScript) that HTMX turns into an in-place swap of the board
  (a request with ``HX-Request`` gets only the board's section).
- ``/members/{id}`` — a member's profile (``actions/profiles.py``): hidden profiles answer 404
  to everyone but the member and staff. ``/members/me`` goes to the viewer's own.
- ``/members`` — the directory of members who opted in, searchable and paginated.

All are public (anonymous) except setting one's own choice, which needs a signed-in member.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.responses import RedirectResponse, Response

from hearth.actions.boards import BoardCache, access_board
from hearth.actions.profiles import (
    ProfileCache,
    access_current_member,
    access_directory,
    access_profile_cached,
    access_public_names,
    check_set_directory,
    may_manage,
)
from hearth.domain.playbook import Playbook
from hearth.domain.playbook.leaderboards import (
    CountMeasure,
    HelpedMeasure,
    Leaderboard,
    rolling_window,
)
from hearth.domain.roles import Role
from hearth.errors import ConfigError, HearthError, NotFound
from hearth.i18n import N_, _
from hearth.playbooks import load_playbook
from hearth.settings import Settings
from hearth.web.auth import allow, viewer_of
from hearth.web.pages import register_nav, render

register_nav("leaderboards", N_("Leaderboards"), "/leaderboards", Role.anonymous, order=12)
register_nav("directory", N_("Directory"), "/members", Role.anonymous, order=14)
register_nav("profile", N_("My profile"), "/members/me", Role.member, order=16)

WINDOW_LABELS = {
    "this_week": N_("This week"),
    "last_week": N_("Last week"),
    "this_month": N_("This month"),
    "last_month": N_("Last month"),
    "this_quarter": N_("This quarter"),
    "this_year": N_("This year"),
    "all_time": N_("All time"),
}
# What a profile's activity summary calls each public kind (actions/profiles.PUBLIC_KINDS).
KIND_LABELS = {
    "message.posted": N_("Messages posted"),
    "thread.started": N_("Threads started"),
    "thread.replied": N_("Replies in threads"),
    "thread.solved": N_("Threads marked solved"),
    "question.asked": N_("Questions asked"),
    "answer.posted": N_("Answers posted"),
    "answer.accepted": N_("Answers accepted"),
    "comment.posted": N_("Comments"),
    "commit.authored": N_("Commits"),
    "pr.opened": N_("Pull requests opened"),
    "pr.merged": N_("Pull requests merged"),
    "pr.reviewed": N_("Pull request reviews"),
    "issue.opened": N_("Issues opened"),
    "issue.commented": N_("Issue comments"),
    "release.published": N_("Releases published"),
    "content.published": N_("Content published"),
    "project.shared": N_("Projects shared"),
    "event.attended": N_("Events attended"),
    "thanks.given": N_("Thanks given"),
}
PER_PAGE = 30
log = logging.getLogger(__name__)


def window_label(window: str) -> str:
    if window in WINDOW_LABELS:
        return _(WINDOW_LABELS[window])
    span = rolling_window(window)
    days = span.days if span is not None else 0
    return _("Last {n} days").format(n=days) if days else window


def measure_label(board: Leaderboard) -> str:
    if isinstance(board.measure, HelpedMeasure):
        return _("Members helped")
    if isinstance(board.measure, CountMeasure):
        return _("Count")
    return _("Points")


def number(value: Any) -> str:
    """A count or a requirement's value: whole numbers without decimals, with separators."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def day(value: datetime | date | None) -> str:
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def community_router(settings: Settings, engine: Engine, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    boards = BoardCache()  # leaderboard places, while they cannot have changed
    profiles = ProfileCache(size=1024)  # profiles, likewise
    templates.env.filters.setdefault("number", number)
    templates.env.filters.setdefault("day", day)
    try:
        loaded: Playbook | None = load_playbook(settings.playbook)
    except HearthError:
        log.exception(
            "playbook %r not loaded: the community pages will answer with an error",
            settings.playbook,
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

    def board_context(
        request: Request, board: Leaderboard, window: str, *, push: bool
    ) -> dict[str, Any]:
        caller = viewer_of(request).caller
        places = access_board(engine, caller, playbook(), board.key, window, boards)
        names = access_public_names(
            engine, caller, [p.member_id for p in places if p.member_id is not None]
        )
        prizes = {prize.place: prize for prize in board.prizes}
        staff = viewer_of(request).can(Role.staff)
        rows = []
        for place in places:
            member_id = place.member_id
            named = names.get(member_id) if member_id is not None else None
            hidden = named is not None and named.hidden
            rows.append(
                {
                    "rank": place.rank,
                    "member_id": member_id if (not hidden or staff) else None,
                    "name": (
                        _("A member")
                        if hidden and not staff
                        else named.display_name
                        if named is not None
                        else place.subject[2:]
                    ),
                    "hidden": hidden,
                    "value": place.value,
                    "prize": prizes.get(place.rank),
                }
            )
        return {
            "board": board,
            "window": window,
            "windows": [(w, window_label(w)) for w in board.windows],
            "rows": rows,
            "measure": measure_label(board),
            "push": push,
        }

    def find_board(key: str, window: str | None) -> tuple[Leaderboard, str]:
        board = playbook().leaderboard(key)
        if board is None:
            raise NotFound(_("No leaderboard '{key}'.").format(key=key))
        chosen = window or board.windows[0]
        if chosen not in board.windows:
            raise NotFound(
                _("Leaderboard '{key}' has no window '{window}'.").format(key=key, window=chosen)
            )
        return board, chosen

    def partial(request: Request) -> bool:
        return (
            request.headers.get("hx-request") == "true"
            and request.headers.get("hx-history-restore-request") != "true"
        )

    @router.get("/leaderboards", dependencies=[allow(Role.anonymous)])
    def leaderboards(request: Request) -> Response:
        boards = [
            board_context(request, board, board.windows[0], push=False)
            for board in playbook().leaderboards
        ]
        return render(templates, request, "leaderboards.html", {"boards": boards})

    @router.get("/leaderboards/{key}", dependencies=[allow(Role.anonymous)])
    def leaderboard(
        request: Request,
        key: str,
        window: Annotated[str | None, Query(max_length=40)] = None,
        push: Annotated[str | None, Query(max_length=1)] = None,
    ) -> Response:
        board, chosen = find_board(key, window)
        if partial(request):
            context = board_context(request, board, chosen, push=push != "0")
            response = render(templates, request, "leaderboard_board.html", {"b": context})
        else:
            context = board_context(request, board, chosen, push=True)
            response = render(templates, request, "leaderboard.html", {"b": context})
        response.headers["Vary"] = "Accept-Language, HX-Request"
        return response

    @router.get("/members", dependencies=[allow(Role.anonymous)])
    def directory(
        request: Request,
        q: Annotated[str, Query(max_length=100)] = "",
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    ) -> Response:
        result = access_directory(
            engine, viewer_of(request).caller, playbook(), search=q, page=page, per_page=PER_PAGE
        )

        def page_link(number: int) -> str:
            query = {"page": str(number)}
            if q:
                query["q"] = q
            return "/members?" + urlencode(query)

        return render(
            templates,
            request,
            "directory.html",
            {"result": result, "q": q, "page_link": page_link, "tiers": _tier_icons(playbook())},
        )

    @router.get("/members/me", dependencies=[allow(Role.member)])
    def my_profile(request: Request) -> Response:
        account = viewer_of(request).account
        if account is None or account.member_id is None:
            return render(templates, request, "profile_unlinked.html")
        return RedirectResponse(f"/members/{account.member_id}", 303)

    @router.get("/members/{member_id}", dependencies=[allow(Role.anonymous)])
    def profile(request: Request, member_id: int, notice: str | None = None) -> Response:
        current = access_current_member(engine, member_id)
        if current != member_id:
            return RedirectResponse(f"/members/{current}", 301)
        viewer = viewer_of(request)
        book = playbook()
        found = access_profile_cached(
            engine, viewer.caller, member_id, book, profiles, now=datetime.now(UTC)
        )
        standing = found.standing
        tier = book.tier(standing.tier.key) if standing.tier else None
        upcoming = standing.next_tier(book)
        next_tier = book.tier(upcoming["tier"]) if upcoming else None
        achievements = {a.key: a for a in book.achievements}
        grouped: dict[str, dict[str, Any]] = {}
        for award in standing.awards:
            entry = grouped.setdefault(
                award.key,
                {
                    "name": award.name,
                    "icon": getattr(achievements.get(award.key), "icon", None),
                    "description": getattr(achievements.get(award.key), "description", None),
                    "first": award.awarded_at,
                    "times": 0,
                    "manual": award.manual,
                },
            )
            entry["times"] += 1
        return render(
            templates,
            request,
            "profile.html",
            {
                "p": found,
                "s": standing,
                "tier": tier,
                "upcoming": upcoming,
                "next_tier": next_tier,
                "achievements": list(grouped.values()),
                "kind_labels": {k: _(v) for k, v in KIND_LABELS.items()},
                "manage": may_manage(viewer.caller, member_id),
                "is_self": viewer.caller.member_id == member_id,
                "notice": notice,
            },
        )

    @router.post("/members/{member_id}/directory", dependencies=[allow(Role.member)])
    def set_directory(
        request: Request, member_id: int, choice: Annotated[str, Form(max_length=20)] = ""
    ) -> Response:
        check_set_directory(engine, viewer_of(request).caller, member_id, choice)
        notice = {
            "listed": _("Saved: the profile is public and listed in the member directory."),
            "unlisted": _("Saved: the profile is public but not listed in the member directory."),
            "hidden": _("Saved: the profile is hidden; only the member and staff can see it."),
        }[choice]
        return RedirectResponse(f"/members/{member_id}?" + urlencode({"notice": notice}), 303)

    return router


def _tier_icons(playbook: Playbook) -> dict[str, str]:
    return {t.key: t.icon or "" for t in playbook.tiers}
