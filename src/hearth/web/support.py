"""Support tickets on the web: "my tickets" for members, the queue for staff.

A member sees their own tickets and transcripts, opens a ticket, writes, closes, reopens and
rates; staff see every ticket in the queue (filtered by state, category, age and target
status), claim and hand over. The actions check who may see what: another member's ticket is
answered like an id that does not exist (404).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.responses import RedirectResponse, Response

from hearth.actions.ticket_reads import (
    access_my_tickets,
    access_ticket,
    access_ticket_figures,
    access_ticket_queue,
    access_transcript,
)
from hearth.actions.tickets import (
    check_open_ticket,
    check_rate_ticket,
    do_add_message,
    do_claim_ticket,
    do_close_ticket,
    do_reopen_ticket,
)
from hearth.domain.playbook import Playbook
from hearth.domain.roles import Role
from hearth.domain.tickets import TARGET_STATUSES
from hearth.i18n import N_, _
from hearth.playbooks import load_playbook
from hearth.settings import Settings
from hearth.web.auth import allow, viewer_of
from hearth.web.pages import register_nav, render

register_nav("my_tickets", N_("My tickets"), "/tickets", Role.member, order=70)
register_nav("ticket_queue", N_("Tickets"), "/staff/tickets", Role.staff, order=25)

TARGET_LABELS = {
    "pending": N_("on time"),
    "due_soon": N_("due soon"),
    "overdue": N_("overdue"),
    "met": N_("met"),
    "missed": N_("missed"),
}
AGE_LABELS = {
    "1d": N_("under a day"),
    "7d": N_("under a week"),
    "30d": N_("under 30 days"),
    "older": N_("older"),
}


def _back(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?notice={quote(notice)}", 303)


def support_router(settings: Settings, engine: Engine, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @cache
    def playbook() -> Playbook:
        return load_playbook(settings.playbook)

    def labels() -> dict[str, object]:
        return {
            "target_labels": {k: _(v) for k, v in TARGET_LABELS.items()},
            "age_labels": {k: _(v) for k, v in AGE_LABELS.items()},
        }

    @router.get("/tickets", dependencies=[allow(Role.member)])
    def my_tickets(request: Request, notice: str | None = None) -> Response:
        caller = viewer_of(request).caller
        book = playbook()
        rows = access_my_tickets(engine, caller, book)
        categories = book.support.categories if book.support else []
        return render(
            templates,
            request,
            "tickets.html",
            {"tickets": rows, "categories": categories, "notice": notice, **labels()},
        )

    @router.post("/tickets", dependencies=[allow(Role.member)])
    def open_ticket(
        request: Request,
        category: Annotated[str, Form(max_length=64)],
        subject: Annotated[str, Form(max_length=300)],
        body: Annotated[str, Form(max_length=4000)] = "",
    ) -> Response:
        opened = check_open_ticket(
            engine, viewer_of(request).caller, playbook(), category, subject, body or None
        )
        return _back(f"/tickets/{opened.id}", _("Ticket {id} is open.").format(id=opened.id))

    @router.get("/tickets/{ticket_id}", dependencies=[allow(Role.member)])
    def ticket_page(request: Request, ticket_id: int, notice: str | None = None) -> Response:
        caller = viewer_of(request).caller
        ticket = access_ticket(engine, caller, playbook(), ticket_id)
        lines = access_transcript(engine, caller, ticket_id)
        return render(
            templates,
            request,
            "ticket.html",
            {
                "ticket": ticket,
                "lines": lines,
                "notice": notice,
                "own": caller.member_id == ticket.member_id,
                "staff": caller.is_staff,
                **labels(),
            },
        )

    @router.post("/tickets/{ticket_id}/messages", dependencies=[allow(Role.member)])
    def add_message(
        request: Request, ticket_id: int, body: Annotated[str, Form(max_length=4000)]
    ) -> Response:
        do_add_message(engine, viewer_of(request).caller, ticket_id, body)
        return _back(f"/tickets/{ticket_id}", _("Message added."))

    @router.post("/tickets/{ticket_id}/close", dependencies=[allow(Role.member)])
    def close(
        request: Request, ticket_id: int, reason: Annotated[str, Form(max_length=16)] = ""
    ) -> Response:
        do_close_ticket(engine, viewer_of(request).caller, ticket_id, reason or None)
        return _back(f"/tickets/{ticket_id}", _("Ticket {id} is closed.").format(id=ticket_id))

    @router.post("/tickets/{ticket_id}/reopen", dependencies=[allow(Role.member)])
    def reopen(request: Request, ticket_id: int) -> Response:
        do_reopen_ticket(engine, viewer_of(request).caller, ticket_id)
        return _back(f"/tickets/{ticket_id}", _("Ticket {id} is open again.").format(id=ticket_id))

    @router.post("/tickets/{ticket_id}/rate", dependencies=[allow(Role.member)])
    def rate(
        request: Request, ticket_id: int, rating: Annotated[str, Form(max_length=2)]
    ) -> Response:
        check_rate_ticket(engine, viewer_of(request).caller, ticket_id, rating)
        return _back(f"/tickets/{ticket_id}", _("Thank you for your rating."))

    @router.post("/staff/tickets/{ticket_id}/claim", dependencies=[allow(Role.staff)])
    def claim(
        request: Request, ticket_id: int, member_id: Annotated[str, Form(max_length=20)] = ""
    ) -> Response:
        assignee = int(member_id) if member_id.strip().isdigit() else None
        do_claim_ticket(engine, viewer_of(request).caller, ticket_id, assignee)
        return _back(f"/tickets/{ticket_id}", _("Ticket {id} is assigned.").format(id=ticket_id))

    @router.get("/staff/tickets", dependencies=[allow(Role.staff)])
    def queue(
        request: Request,
        state: str = "open",
        category: str = "",
        age: str = "",
        target: str = "",
    ) -> Response:
        caller = viewer_of(request).caller
        book = playbook()
        rows = access_ticket_queue(
            engine,
            caller,
            book,
            state=state if state in ("open", "closed") else None,
            category=category or None,
            age=age if age in AGE_LABELS else None,
            target=target if target in TARGET_STATUSES else None,
        )
        figures = access_ticket_figures(engine, caller, book) if book.support else None
        return render(
            templates,
            request,
            "staff_tickets.html",
            {
                "tickets": rows,
                "figures": figures,
                "categories": book.support.categories if book.support else [],
                "filters": {"state": state, "category": category, "age": age, "target": target},
                "now": datetime.now(),
                **labels(),
            },
        )

    return router
