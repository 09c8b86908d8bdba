"""In Chromium: sign in, the dashboard's charts drawn, roles enforced, nothing leaves loopback."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hearth.actions.ingest import ingest
from hearth.connectors.demo.generator import generate
from tests.web.accounts import browser_sign_in, make_account

CANVAS_HAS_INK = """(canvas) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { ink++; } }
  return ink;
}"""


def test_staff_sees_the_dashboard_with_its_charts_drawn(
    engine: Engine, live_server: str, context: Any, tmp_path
) -> None:
    ingest(engine, generate(members=80, events=4000, seed=3))
    make_account(engine, "sam", "staff")
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("pageerror", lambda error: failed.append(str(error)))
    browser_sign_in(page, live_server, "sam")
    page.wait_for_url("**/staff/dashboard")
    page.goto(live_server + "/staff/dashboard?period=all")
    assert page.title() == "Dashboard · Hearth"
    canvases = page.locator("figure.chart canvas")
    canvases.first.wait_for()
    assert canvases.count() == 5
    for i in range(canvases.count()):
        assert canvases.nth(i).evaluate(CANVAS_HAS_INK) > 100, f"chart {i} is blank"
    assert page.locator(".card").count() >= 7
    # Another period: HTMX swaps the panels in and the charts are drawn again.
    with page.expect_response(lambda r: "/staff/dashboard/panels" in r.url):
        page.select_option("#period", "365d")
    page.wait_for_function("document.querySelectorAll('figure.chart canvas').length === 5")
    assert "/staff/dashboard/panels" not in page.url  # the page itself stayed
    # Keyboard: the period can be reached and changed without a mouse.
    page.focus("#period")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "platform"
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    # A small screen: nothing wider than the viewport.
    page.set_viewport_size({"width": 360, "height": 740})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert failed == []
    page.close()


def test_a_member_cannot_open_staff_pages_and_anonymous_must_sign_in(
    engine: Engine, live_server: str, context: Any
) -> None:
    make_account(engine, "mem", "member")
    page = context.new_page()
    page.goto(live_server + "/staff/dashboard")
    assert page.url.startswith(live_server + "/login?next=/staff/dashboard")
    response = page.goto(live_server + "/staff/identities")
    assert response.status == 200 and "/login" in page.url
    browser_sign_in(page, live_server, "mem")
    page.wait_for_url("**/account")
    response = page.goto(live_server + "/staff/dashboard")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Not allowed"
    assert page.locator("header nav").get_by_text("Dashboard").count() == 0
    # Sign out from the header.
    page.click("header form button")
    page.wait_for_url(live_server + "/")
    assert page.locator("header").get_by_text("Sign in").count() == 1
    page.close()


def test_a_leaderboard_and_a_profile_in_the_browser(
    engine: Engine, live_server: str, context: Any, tmp_path
) -> None:
    from tests.web.test_community import seed

    ids = seed(engine)
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.goto(live_server + "/leaderboards/most_helpful")
    assert page.title() == "Most helpful members · Leaderboards · Hearth"
    # Another period with the keyboard: HTMX swaps the board in and the address follows.
    with page.expect_response(lambda r: "window=all_time" in r.url):
        page.focus("#tab-most_helpful-all_time")
        page.keyboard.press("Enter")
    page.wait_for_selector('#tab-most_helpful-all_time[aria-current="page"]')
    assert page.url.endswith("/leaderboards/most_helpful?window=all_time")
    names = page.locator("table.ranking tbody td:nth-child(2) a").all_inner_texts()
    assert names == ["dee", "ada", "bea", "cy"]
    page.screenshot(path=str(tmp_path / "leaderboard.png"), full_page=True)
    # Follow the first place to the profile.
    page.click("text=dee")
    page.wait_for_url(f"**/members/{ids['dee']}")
    assert page.locator("h1").inner_text() == "dee"
    assert page.locator(".tier-badge").first.inner_text().endswith("Contributor")
    assert page.locator(".progress li").count() >= 4
    assert page.locator(".achievements li").count() >= 1
    page.set_viewport_size({"width": 360, "height": 740})
    page.wait_for_timeout(200)
    page.screenshot(path=str(tmp_path / "profile.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(live_server + "/leaderboards")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert failed == []
    page.close()
