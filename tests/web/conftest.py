"""A real HTTP server (uvicorn on a free loopback port) for web tests, and headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from hearth.settings import Settings
from hearth.web.app import create_app
from tests.web.serving import on_loopback

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@contextmanager
def serve(db_url: str, **settings: Any) -> Iterator[str]:
    """Run the app under uvicorn on a free loopback port; yields its base URL."""
    app = create_app(Settings(database_url=db_url, environment="test", **settings))
    try:
        with on_loopback(app) as url:
            yield url
    finally:
        app.state.engine.dispose()


@pytest.fixture
def live_server(db_url: str) -> Iterator[str]:
    with serve(db_url) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (required: CI installs it).

    Playwright gives every launch a fresh, temporary profile. One browser a module, not a
    session: Playwright's sync API runs an event loop in the test thread while it is started,
    and a bot test that a test worker (pytest-xdist) runs after a browser test would find that
    loop running and fail.
    """
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail("Chromium is missing: install Debian's 'chromium' package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser: Any, live_server: str) -> Iterator[Any]:
    """A browser context that lets no request leave the test server on loopback (and fails the
    test, listing them, if a page tried)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield context
    context.close()
    assert outside == [], f"requests left loopback: {outside}"
