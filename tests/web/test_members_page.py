from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine

from hearth.actions.ingest import ingest
from hearth.domain.activity import ActivityIn, IdentityRef

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def seed(engine: Engine) -> None:
    evil = IdentityRef("discord", "1", handle="<script>alert(1)</script>")
    carol = IdentityRef("discord", "2", handle="carol")
    ingest(
        engine,
        [ActivityIn("discord", f"m{i}", "message.posted", T0, carol) for i in range(3)]
        + [ActivityIn("discord", "e1", "message.posted", T0, evil)],
    )


def test_members_page_lists_members_with_counts(engine: Engine, live_server: str) -> None:
    seed(engine)
    response = httpx.get(live_server + "/")
    assert response.status_code == 200
    body = response.text
    assert "2 members, 2 identities, 4 activities" in body
    assert body.index("carol") < body.index("&lt;script&gt;")
    assert "<script>alert" not in body
    api = httpx.get(live_server + "/api/members").json()
    assert [(m["display_name"], m["total"]) for m in api["members"]] == [
        ("carol", 3),
        ("<script>alert(1)</script>", 1),
    ]
    assert httpx.get(live_server + "/healthz").json() == {"status": "ok"}


def test_members_page_in_chromium(engine: Engine, live_server: str, browser, tmp_path) -> None:
    seed(engine)
    page = browser.new_page(viewport={"width": 360, "height": 640})
    page.goto(live_server + "/")
    assert page.title() == "Members · Hearth"
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert rows.first.inner_text().split("\t")[1].strip() == "carol"
    # The injected name is shown as text, not run as a script.
    assert page.get_by_text("<script>alert(1)</script>").count() == 1
    # Styles come from the package itself (works offline) and fit a small screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.screenshot(path=str(tmp_path / "members.png"))
    page.close()


def test_pages_follow_the_browser_language(live_server: str) -> None:
    import httpx

    french = httpx.get(live_server + "/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    english = httpx.get(live_server + "/login")
    assert '<html lang="fr">' in french.text and '<html lang="en">' in english.text
    assert french.headers["vary"] == "Accept-Language"
    assert french.text != english.text  # the sign-in page is translated
