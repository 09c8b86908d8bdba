"""The staff dashboard: figures against targets, the period swap, the cache's correctness."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.actions.dashboard import (
    DashboardQuery,
    ResultCache,
    access_dashboard,
    period_bounds,
)
from hearth.actions.ingest import ingest
from hearth.actions.members import do_flag
from hearth.connectors.demo.generator import generate
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.playbooks.loader import load_playbook
from tests.web.accounts import make_account, sign_in

STAFF = Caller(name="account:sam", is_staff=True, role="staff")


def seed(engine: Engine) -> None:
    ingest(engine, generate(members=80, events=4000, seed=3))


def test_dashboard_page_and_partial(engine: Engine, live_server: str) -> None:
    seed(engine)
    make_account(engine, "sam", "staff")
    with sign_in(live_server, "sam") as client:
        page = client.get("/staff/dashboard?period=all")
        assert page.status_code == 200
        html = page.text
        for text in (
            "Community health",
            "Time to first response (median)",
            "Ticket satisfaction (1-5)",
            "Platforms against their goals",
            "Onboarding funnel",
            "Popular topics",
            "Growth stages",
            'id="chart-data"',
            "/static/uPlot.iife.min.js",
            "/static/htmx.min.js",
        ):
            assert text in html, text
        assert "status-green" in html or "status-red" in html or "status-amber" in html
        partial = client.get("/staff/dashboard/panels?period=30d&platform=discord")
        assert partial.status_code == 200
        assert "<html" not in partial.text and "Platform: discord." in partial.text
        assert client.get("/staff/dashboard?period=week").status_code == 400
        assert client.get("/staff/dashboard/panels?platform=myspace").status_code == 400
        for asset in ("htmx.min.js", "uPlot.iife.min.js", "dashboard.js", "uPlot.min.css"):
            assert client.get(f"/static/{asset}").status_code == 200


def test_the_cache_serves_only_current_results(engine: Engine) -> None:
    seed(engine)
    cache = ResultCache()
    goals = load_playbook("phoenix").targets.platforms
    query = DashboardQuery(period="all")
    first = access_dashboard(engine, STAFF, cache, query, goals)
    assert access_dashboard(engine, STAFF, cache, query, goals) is first
    assert (cache.hits, cache.misses) == (1, 1)
    # New activity: a new ledger version, a fresh computation.
    at = datetime(2025, 6, 1, tzinfo=UTC)
    ingest(
        engine, [ActivityIn("discord", "new-1", "message.posted", at, IdentityRef("discord", "x1"))]
    )
    second = access_dashboard(engine, STAFF, cache, query, goals)
    assert second is not first
    assert second["report"]["activity"]["total"] == first["report"]["activity"]["total"] + 1
    # A staff decision (audited) is a new version too.
    do_flag(engine, Caller.operator(), 1, is_bot=True)
    third = access_dashboard(engine, STAFF, cache, query, goals)
    assert third is not second
    assert cache.misses == 3


def test_platform_goals_are_measured_from_the_ledger(engine: Engine) -> None:
    seed(engine)
    goals = load_playbook("phoenix").targets.platforms
    data = access_dashboard(engine, STAFF, ResultCache(), DashboardQuery(period="all"), goals)
    by_key = {goal["key"]: goal for goal in data["platform_goals"]}
    assert by_key["discord"]["measured"] and by_key["discord"]["actual"] > 0
    assert by_key["discord"]["status"] in ("green", "amber", "red")
    assert by_key["reddit"]["measured"] is False and by_key["reddit"]["status"] == "unknown"
    assert by_key["forum"]["actual"] is not None


def test_platform_goals_agree_with_a_plain_count(engine: Engine) -> None:
    """The database's per-day aggregation against a count over every row, in Python."""
    from sqlalchemy import select

    from hearth.actions.dashboard import _bucket, _buckets, platform_goals
    from hearth.domain.metrics.contributors import contribution_kinds
    from hearth.domain.playbook.conditions import compile_where
    from hearth.store.tables import activities, members

    seed(engine)
    do_flag(engine, Caller.operator(), 3, is_bot=True)
    since, until = datetime(2025, 2, 1, tzinfo=UTC), datetime(2025, 11, 1, tzinfo=UTC)
    goals = load_playbook("phoenix").targets.platforms
    got = {g["key"]: g["actual"] for g in platform_goals(engine, goals, since, until)}
    with engine.connect() as conn:
        bots = set(conn.scalars(select(members.c.id).where(members.c.is_bot)))
        rows = conn.execute(
            select(activities).where(
                activities.c.occurred_at >= since, activities.c.occurred_at < until
            )
        ).all()
    for goal in goals:
        if goal.metric == "external":
            assert got[goal.key] is None
            continue
        unit = goal.period or "month"
        buckets: dict[tuple[int, int], set[object]] = {}
        for n, row in enumerate(rows):
            if row.actor_member_id in bots or (goal.platform and row.platform != goal.platform):
                continue
            if goal.metric == "contributors" and row.kind not in contribution_kinds():
                continue
            if goal.metric == "activity_count":
                where = compile_where(goal.match.where_clause())
                if row.kind not in goal.match.kind or not where(
                    row.properties, row.platform, row.target_type
                ):
                    continue
            key = n if goal.metric == "activity_count" else row.actor_member_id
            if key is not None:
                buckets.setdefault(_bucket(row.occurred_at.date(), unit), set()).add(key)
        expected = sum(len(b) for b in buckets.values()) / _buckets(since, until, unit)
        assert got[goal.key] == round(expected, 2), goal.key


def test_periods_end_at_the_next_midnight() -> None:
    now = datetime(2025, 3, 10, 15, 30, tzinfo=UTC)
    since, until = period_bounds("30d", now)
    assert until == datetime(2025, 3, 11, tzinfo=UTC)
    assert since == datetime(2025, 2, 9, tzinfo=UTC)
    assert period_bounds("all", now)[0] is None


def test_new_activity_shows_the_previous_figures_marked_until_the_new_ones_are_ready(
    engine: Engine, live_server: str
) -> None:
    import time

    seed(engine)
    make_account(engine, "sam", "staff")
    with sign_in(live_server, "sam") as client:
        assert "a little earlier" not in client.get("/staff/dashboard?period=all").text
        at = datetime(2025, 6, 1, tzinfo=UTC)
        ingest(
            engine,
            [ActivityIn("discord", "live-1", "message.posted", at, IdentityRef("discord", "y"))],
        )
        marked = client.get("/staff/dashboard?period=all").text
        assert "a little earlier" in marked  # answered at once, not after a recomputation
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            page = client.get("/staff/dashboard?period=all").text
            if "a little earlier" not in page:
                break
            time.sleep(0.2)
        assert "a little earlier" not in page  # the new figures arrived
