"""Leaderboards, member profiles and the member directory, on a hand-built ledger."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine, select

from hearth.actions.context import Caller
from hearth.actions.derive import do_catch_up
from hearth.actions.ingest import ingest
from hearth.actions.members import do_flag, do_merge
from hearth.actions.profiles import check_set_directory
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.playbooks import load_playbook
from hearth.store.tables import identities
from tests.web.accounts import csrf_of, make_account, sign_in

NOW = datetime.now(UTC).replace(microsecond=0)
STAFF = Caller.operator("test")


def discord(name: str, **kw: object) -> IdentityRef:
    return IdentityRef("discord", f"d-{name}", name, email=f"{name}@example.org", **kw)  # type: ignore[arg-type]


def thanks(giver: str, helper: IdentityRef, n: int, ago: timedelta) -> ActivityIn:
    return ActivityIn(
        "discord",
        f"thanks-{giver}-{helper.handle}-{n}",
        "thanks.given",
        NOW - ago,
        discord(giver),
        target_type="member",
        target_id=helper.external_id,
        target_owner=helper,
    )


def member_ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            row.handle: row.member_id
            for row in conn.execute(select(identities.c.handle, identities.c.member_id))
        }


def seed(engine: Engine) -> dict[str, int]:
    """ada helped 3 members, bea 2, cy 1; staff sam 5 and the bot 4 (neither is ranked).

    dee reaches the Contributor tier: on Discord for 60 days, active yesterday, a merged pull
    request (on GitHub, as another member merged into dee's), 5 members helped, and a first PR.
    """
    ada, bea, cy, sam, dee = (discord(n) for n in ("ada", "bea", "cy", "sam", "dee"))
    bot = discord("helperbot", is_bot=True)
    records = [
        ActivityIn("discord", f"join-{r.handle}", "member.joined", NOW - timedelta(days=60), r)
        for r in (ada, bea, cy, sam, dee, bot)
    ]
    for helper, givers in (
        (ada, ["g1", "g2", "g3"]),
        (bea, ["g1", "g2"]),
        (cy, ["g3"]),
        (sam, ["g1", "g2", "g3", "g4", "g5"]),
        (bot, ["g1", "g2", "g3", "g4"]),
        (dee, ["g1", "g2", "g3", "g4", "g5"]),
    ):
        for n, giver in enumerate(givers):
            records.append(thanks(giver, helper, n, timedelta(days=10, hours=n)))
    records.append(
        ActivityIn(
            "discord",
            "dee-msg",
            "message.posted",
            NOW - timedelta(days=1),
            dee,
            target_type="channel",
            target_id="general",
            properties={"channel": "general"},
        )
    )
    dee_gh = IdentityRef("github", "gh-dee", "dee-gh")
    records += [
        ActivityIn(
            "github",
            "pr-1-open",
            "pr.opened",
            NOW - timedelta(days=20),
            dee_gh,
            target_type="pull_request",
            target_id="phoenix/1",
        ),
        ActivityIn(
            "github",
            "pr-1-merge",
            "pr.merged",
            NOW - timedelta(days=19),
            dee_gh,
            target_type="pull_request",
            target_id="phoenix/1",
        ),
    ]
    report = ingest(engine, records)
    assert not report.errors, report.errors
    ids = member_ids(engine)
    do_flag(engine, STAFF, ids["sam"], is_staff=True)
    do_merge(engine, STAFF, ids["dee-gh"], ids["dee"], reason="same person")
    do_catch_up(engine, load_playbook("phoenix"))
    return ids


def names_in_order(html: str) -> list[str]:
    return re.findall(r'<a href="/members/\d+">([^<]+)</a>', html)


def test_a_leaderboard_ranks_by_its_measure_without_staff_or_bots(
    engine: Engine, live_server: str
) -> None:
    ids = seed(engine)
    with httpx.Client(base_url=live_server) as client:
        page = client.get("/leaderboards/most_helpful", params={"window": "all_time"})
        assert page.status_code == 200
        assert names_in_order(page.text) == ["dee", "ada", "bea", "cy"]
        assert f'href="/members/{ids["ada"]}"' in page.text
        assert "sam" not in names_in_order(page.text)
        assert "helperbot" not in page.text
        assert 'aria-current="page">All time' in page.text
        # The tabs are links that work without JavaScript, and HTMX gets only the board.
        assert 'href="/leaderboards/most_helpful?window=this_month"' in page.text
        part = client.get(
            "/leaderboards/most_helpful?window=all_time", headers={"HX-Request": "true"}
        )
        assert part.text.lstrip().startswith('<section class="board"')
        assert "<html" not in part.text
        # Every board of the playbook is on the index page, each in its first window.
        index = client.get("/leaderboards")
        for key in ("monthly_contributors", "most_helpful", "top_bug_reporters"):
            assert f'id="board-{key}"' in index.text
        assert client.get("/leaderboards/nope").status_code == 404
        assert client.get("/leaderboards/most_helpful?window=1999").status_code == 404
    # The places are cached, but never past a change: new help derived...
    ingest(engine, [thanks(f"h{n}", discord("cy"), n, timedelta(days=2)) for n in range(5)])
    do_catch_up(engine, load_playbook("phoenix"))
    board = "/leaderboards/most_helpful?window=all_time"
    with httpx.Client(base_url=live_server) as client:
        assert names_in_order(client.get(board).text) == ["cy", "dee", "ada", "bea"]
        # ...a member flagged as staff (audited; left out before any rebuild)...
        do_flag(engine, STAFF, ids["dee"], is_staff=True)
        assert names_in_order(client.get(board).text) == ["cy", "ada", "bea"]
        # ...and a hidden member keeps their place, without a name or a link.
        check_set_directory(engine, STAFF, ids["ada"], "hidden")
        page = client.get(board)
        assert names_in_order(page.text) == ["cy", "bea"]
        assert "A member" in page.text and ">ada<" not in page.text


def test_a_profile_shows_points_achievements_tier_and_progress(
    engine: Engine, live_server: str
) -> None:
    ids = seed(engine)
    with httpx.Client(base_url=live_server) as client:
        page = client.get(f"/members/{ids['dee']}")
        assert page.status_code == 200
        text = page.text
        assert "<h1>dee</h1>" in text
        # identities: platform and handle, never the e-mail address
        assert "dee-gh" in text and "@example.org" not in text
        # tier, benefits, since; progress to the next tier
        assert "Contributor" in text and "Early feature access" in text
        assert "Progress to Advocate" in text
        assert "4 more merged PRs" in text
        # achievements with icons and dates
        assert "First PR" in text and "🎯" in text
        assert (NOW - timedelta(days=20)).date().isoformat() in text
        # recent public activity
        assert "Pull requests merged" in text and "Thanks given" not in text
        # the merged member's address leads to the survivor
        moved = client.get(f"/members/{ids['dee-gh']}", follow_redirects=False)
        assert moved.status_code == 301
        assert moved.headers["location"] == f"/members/{ids['dee']}"
        assert client.get("/members/999999").status_code == 404
        # points by rule: helping is not paid in points on Discord thanks; no points yet
        ada = client.get(f"/members/{ids['ada']}").text
        assert "No tier yet." in ada


def test_the_directory_lists_members_who_opted_in_and_hidden_profiles_are_404(
    engine: Engine, live_server: str
) -> None:
    ids = seed(engine)
    check_set_directory(engine, STAFF, ids["ada"], "listed")
    check_set_directory(engine, STAFF, ids["dee"], "listed")
    make_account(engine, "bea-account", "member", member_id=ids["bea"])
    make_account(engine, "sam-account", "staff")
    with httpx.Client(base_url=live_server) as anonymous:
        listed = anonymous.get("/members")
        assert re.findall(r'class="name">([^<]+)<', listed.text) == ["ada", "dee"]
        assert "Contributor" in listed.text  # dee's tier badge
        assert re.findall(r'class="name">([^<]+)<', anonymous.get("/members?q=DEE-g").text) == [
            "dee"
        ]
        assert "Nobody listed matches" in anonymous.get("/members?q=zzz").text
    # bea hides her profile herself.
    with sign_in(live_server, "bea-account") as bea:
        mine = bea.get("/members/me", follow_redirects=True)
        assert str(mine.url).endswith(f"/members/{ids['bea']}")
        assert "Who sees this profile" in mine.text
        # not her profile: no form
        assert "Who sees this profile" not in bea.get(f"/members/{ids['ada']}").text
        # CSRF is required
        refused = bea.post(f"/members/{ids['bea']}/directory", data={"choice": "hidden"})
        assert refused.status_code == 403
        done = bea.post(
            f"/members/{ids['bea']}/directory",
            data={"choice": "hidden", "csrf_token": csrf_of(mine.text)},
        )
        assert done.status_code == 303
        assert bea.get(f"/members/{ids['bea']}").status_code == 200  # she still sees it
        # nor may she change someone else's
        other = bea.post(
            f"/members/{ids['ada']}/directory",
            data={"choice": "hidden", "csrf_token": csrf_of(mine.text)},
        )
        assert other.status_code == 403
    with httpx.Client(base_url=live_server) as anonymous:
        assert anonymous.get(f"/members/{ids['bea']}").status_code == 404
        assert anonymous.get(f"/members/{ids['ada']}").status_code == 200
        # listed, then hidden: gone from the directory too
        check_set_directory(engine, STAFF, ids["ada"], "hidden")
        listed = anonymous.get("/members")
        assert re.findall(r'class="name">([^<]+)<', listed.text) == ["dee"]
    with sign_in(live_server, "sam-account") as staff:
        seen = staff.get(f"/members/{ids['bea']}")
        assert seen.status_code == 200 and "hidden profile" in seen.text


def test_the_directory_is_paginated(engine: Engine, live_server: str) -> None:
    people = [discord(f"m{i:02d}") for i in range(35)]
    ingest(
        engine,
        [ActivityIn("discord", f"j{i}", "member.joined", NOW, p) for i, p in enumerate(people)],
    )
    for member_id in member_ids(engine).values():
        check_set_directory(engine, STAFF, member_id, "listed")
    with httpx.Client(base_url=live_server) as client:
        first = client.get("/members")
        assert "35 members" in first.text and "Page 1 of 2" in first.text
        assert len(re.findall(r'class="name">', first.text)) == 30
        second = client.get("/members?page=2")
        assert re.findall(r'class="name">([^<]+)<', second.text) == [
            f"m{i:02d}" for i in range(30, 35)
        ]
        assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
