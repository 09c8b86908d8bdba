"""Factories for web tests: accounts, and HTTP clients signed in as them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import Engine

from hearth.actions.accounts import check_create_account
from hearth.actions.context import Caller

PASSWORD = "correct horse battery"


def make_account(
    engine: Engine, username: str, role: str = "staff", member_id: int | None = None
) -> int:
    return check_create_account(engine, Caller.operator(), username, PASSWORD, role, member_id)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@contextmanager
def sign_in(base_url: str, username: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """An HTTP client with a session cookie for ``username``."""
    with httpx.Client(base_url=base_url) as client:
        form = client.get("/login")
        response = client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
        )
        assert response.status_code == 303, response.text
        assert "hearth_session" in client.cookies
        yield client


def browser_sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign ``username`` in through the real form in a Playwright ``page``."""
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
