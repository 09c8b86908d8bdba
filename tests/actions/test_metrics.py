"""Health metrics and NPS answers through the actions, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import statistics
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from hearth.actions.context import Caller
from hearth.actions.ingest import ingest
from hearth.actions.members import do_flag
from hearth.actions.metrics import access_metrics, check_record_nps, do_record_nps, target_set
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import Conflict, InputError, NotFound, PermissionDenied
from hearth.store import metric_queries as mq
from hearth.store.tables import audit_log, identities, member_tiers, nps_responses

STAFF = Caller.operator("test")
T0 = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday


def at(day: int, hour: float = 0.0) -> datetime:
    return T0 + timedelta(days=day - 1, hours=hour)


def who(platform: str, name: str, *, bot: bool = False) -> IdentityRef:
    return IdentityRef(platform, name, handle=name, is_bot=bot)


def act(platform: str, source: str, kind: str, when: datetime, actor: IdentityRef | None,
        target: tuple[str, str] | None = None, owner: IdentityRef | None = None,
        **props: Any) -> ActivityIn:  # fmt: skip
    target_type, target_id = target or (None, None)
    return ActivityIn(platform, source, kind, when, actor, target_type, target_id, owner, props)


D, SE, GH, DC, GIT = "discourse", "stackexchange", "github", "discord", "git"
alice, bob, carol, dave = who(D, "alice"), who(D, "bob"), who(D, "carol"), who(D, "dave")
discobot = who(D, "discobot", bot=True)
erin, frank = who(SE, "erin"), who(SE, "frank")
gina, sam = who(GH, "gina"), who(GH, "sam")
hana, ivan = who(DC, "hana"), who(DC, "ivan")
gina_git = who(GIT, "gina@example.com")

LEDGER = [
    # T1: alice asks; her own follow-up is no response; bob answers after 1.5 h; solved.
    act(D, "topic:1", "thread.started", at(2, 10), alice, ("thread", "1"), alice,
        title="Build fails", tags=["build", "cmake"], views=40, like_count=2, post_id=11),
    act(D, "post:12", "thread.replied", at(2, 10.5), alice, ("thread", "1"), alice),
    act(D, "post:13", "thread.replied", at(2, 11.5), bob, ("thread", "1"), alice),
    act(D, "solved:1", "thread.solved", at(2, 12), alice, ("thread", "1"), bob),
    act(D, "like:11:4", "reaction.added", at(2, 13), dave, ("post", "11"), alice, emoji="like"),
    # T2: bob asks, nobody answers.
    act(D, "topic:2", "thread.started", at(3, 10), bob, ("thread", "2"), bob, tags=["build"]),
    # T3: carol asks; a bot answers at once (not a response); dave after 4 h.
    act(D, "topic:3", "thread.started", at(4, 10), carol, ("thread", "3"), carol, tags=["ui"]),
    act(D, "post:31", "thread.replied", at(4, 10 + 5 / 60), discobot, ("thread", "3"), carol),
    act(D, "post:32", "thread.replied", at(4, 14), dave, ("thread", "3"), carol),
    # Q1: erin asks, frank answers after 1 h, the answer is accepted after 2 h.
    act(SE, "post:100", "question.asked", at(5, 8), erin, ("post", "100"), None,
        tags=["gears"], views=100),
    act(SE, "post:101", "answer.posted", at(5, 9), frank, ("post", "100"), erin, question_id=100),
    act(SE, "accept:101", "answer.accepted", at(5, 10), erin, ("post", "101"), frank,
        question_id=100),
    # I1: gina opens an issue; sam (staff) comments after 30 minutes; closed the next day.
    act(GH, "issue:1:opened", "issue.opened", at(6, 9), gina, ("issue", "o/r#1"), gina,
        labels=["bug"]),
    act(GH, "comment:1", "issue.commented", at(6, 9.5), sam, ("issue", "o/r#1"), gina),
    act(GH, "issue:1:closed", "issue.closed", at(7, 9), gina, ("issue", "o/r#1"), gina),
    # Discord onboarding and chat; git commits.
    act(DC, "join:h", "member.joined", at(8, 9), hana),
    act(DC, "intro:h", "member.introduced", at(8, 10), hana, ("channel", "intro"), None,
        channel="introductions"),
    act(DC, "role:h", "member.role_picked", at(8, 11), hana, role="Rust"),
    act(DC, "m1", "message.posted", at(8, 12), hana, ("channel", "general"), None,
        channel="general"),
    act(DC, "m2", "message.posted", at(9, 12), ivan, ("channel", "general"), None,
        channel="general"),
    act(DC, "thanks:1", "thanks.given", at(9, 13), hana, ("member", "ivan"), ivan),
    *[
        act(GIT, f"c{n}", "commit.authored", at(10, n), gina_git, ("commit", f"c{n}"))
        for n in range(3)
    ],
    act(GIT, "c9", "commit.authored", at(10, 9), who(GIT, "frank@example.com"), ("commit", "c9")),
]  # fmt: skip


def member_of(engine: Engine, platform: str, external_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(
                select(identities.c.member_id).where(
                    identities.c.platform == platform, identities.c.external_id == external_id
                )
            )
        )


@pytest.fixture
def ledger(engine: Engine) -> Engine:
    report = ingest(engine, LEDGER)
    assert report.rejected == 0, report.errors
    do_flag(engine, STAFF, member_of(engine, GH, "sam"), is_staff=True)
    return engine


def test_threads_first_response_and_rates(ledger: Engine) -> None:
    report = access_metrics(ledger, STAFF)
    first = report["time_to_first_response"]
    assert (first["threads"], first["responded"]) == (5, 4)
    # 0.5 h (issue, staff), 1 h (question), 1.5 h (topic 1), 4 h (topic 3, the bot ignored)
    assert first["median_hours"] == pytest.approx(1.25)
    assert first["p90_hours"] == pytest.approx(1.5 + 0.7 * 2.5)
    assert report["response_rate"] == 0.8
    assert report["resolution_rate"] == 0.6
    assert report["time_to_close"] == {"resolved": 3, "median_hours": 2.0, "p90_hours": 19.6}
    assert first["by_type"]["issue"]["median_hours"] == 0.5
    assert set(first["by_platform"]) == {"discourse", "github", "stackexchange"}


def test_bots_are_left_out_unless_included(ledger: Engine) -> None:
    with_bots = access_metrics(ledger, STAFF, include_bots=True)
    # topic 3 now counts the bot's reply after 5 minutes
    assert with_bots["time_to_first_response"]["median_hours"] == pytest.approx(0.75)
    assert with_bots["members"]["total"] == access_metrics(ledger, STAFF)["members"]["total"] + 1


def test_members_leave_out_staff_and_bots(ledger: Engine) -> None:
    members = access_metrics(ledger, STAFF)["members"]
    # alice bob carol dave erin frank gina hana ivan, and gina's and frank's git identities
    assert members["total"] == 11
    assert members["new_by_month"]["2024-01"] == 11
    assert set(members["new_by_month"].values()) == {11, 0}  # the period runs until now


def test_platform_and_period_filters(ledger: Engine) -> None:
    github = access_metrics(ledger, STAFF, platform="github")
    assert github["time_to_first_response"]["threads"] == 1
    assert github["members"]["total"] == 1  # gina; sam is staff
    later = access_metrics(ledger, STAFF, since=at(4), until=at(6))
    assert later["time_to_first_response"]["threads"] == 2  # topic 3 and the question
    assert later["period"]["since"] == at(4).isoformat()
    assert later["period"]["until"] == at(6).isoformat()


def test_contributors_funnel_topics_and_activity(ledger: Engine) -> None:
    report = access_metrics(ledger, STAFF)
    assert report["contributors"]["active"] == 3  # gina (issue), gina's git, frank's git
    assert report["contributors"]["contributions"] == 5
    assert report["bus_factor"] == 1  # gina's git identity made 3 of 5
    steps = {s["step"]: s for s in report["funnel"]["steps"]}
    assert steps["introduced"]["members"] == 1 and steps["role_picked"]["members"] == 1
    assert steps["got_help"]["reached"] == 3  # alice (solved), erin (accepted), hana (thanks)
    # the rules engine has not run on this ledger: no tiers are known yet
    assert steps["champion"]["available"] is False and steps["champion"]["note"]
    assert report["popular_topics"]["tags"][0] == {"name": "build", "count": 2}
    assert report["popular_topics"]["labels"] == [{"name": "bug", "count": 1}]
    assert {"name": "general", "count": 2} in report["popular_topics"]["channels"]
    engagement = report["engagement"]
    assert engagement["items"] == 5
    assert engagement["reactions"] == 3  # 2 counted likes and dave's like on topic 1
    assert engagement["top"][0]["title"] == "Build fails"
    activity = report["activity"]
    assert activity["total"] == len(LEDGER) - 1  # the bot's reply
    assert activity["per_day"]["2024-01-02"] == {"discourse": 5}
    json.dumps(report)  # JSON-ready


def test_targets_are_evaluated(ledger: Engine) -> None:
    report = access_metrics(ledger, STAFF)
    assert report["targets"]["set"] == "phoenix"
    results = {(r["metric"], r["month"]): r for r in report["targets"]["results"]}
    assert results[("time_to_first_response.median_hours", None)]["status"] == "green"
    assert results[("resolution_rate", None)]["status"] == "red"
    atlas = target_set("atlas")
    mid_january = access_metrics(ledger, STAFF, until=at(20), targets=atlas)
    # no tickets; January (the launch month) is not over
    assert [r["status"] for r in mid_january["targets"]["results"]] == ["unknown", "pending"]
    january = access_metrics(ledger, STAFF, until=datetime(2024, 2, 1, tzinfo=UTC), targets=atlas)
    assert january["targets"]["results"][1]["actual"] == 2  # hana and ivan
    assert january["targets"]["results"][1]["status"] == "red"
    with pytest.raises(InputError, match="phoenix"):
        target_set("nowhere")


def test_tickets_and_discord_thread_channels(engine: Engine) -> None:
    agent, user, other = who(DC, "agent"), who(DC, "user"), who(DC, "other")
    rows = [
        act(DC, "t:1", "ticket.opened", at(1, 9), user, ("ticket", "T-1"), user),
        act(DC, "t:1:m1", "message.posted", at(1, 9.5), user, ("ticket", "T-1"), user),
        act(DC, "t:1:m2", "message.posted", at(1, 12), agent, ("ticket", "T-1"), user),
        act(DC, "t:1:closed", "ticket.closed", at(2, 9), agent, ("ticket", "T-1"), user),
        # a forum-channel post: its messages are posted in the thread's own channel
        act(DC, "555", "thread.started", at(3, 9), user, ("thread", "777"), user),
        act(DC, "778", "message.posted", at(3, 9.25), other, ("channel", "777"), None),
        act(DC, "779", "message.posted", at(3, 9.5), other, ("channel", "general"), None),
    ]
    assert ingest(engine, rows).rejected == 0
    report = access_metrics(engine, STAFF, targets=target_set("atlas"))
    ticket = report["time_to_first_response"]["by_type"]["ticket"]
    assert (ticket["threads"], ticket["responded"], ticket["median_hours"]) == (1, 1, 3.0)
    assert ticket["resolution_rate"] == 1.0
    assert report["time_to_first_response"]["by_type"]["topic"]["median_hours"] == 0.25
    assert report["targets"]["results"][0]["status"] == "green"  # under 24 hours


def test_metrics_are_for_staff(ledger: Engine) -> None:
    with pytest.raises(PermissionDenied):
        access_metrics(ledger, Caller("visitor"))


def test_a_bad_period_is_refused(engine: Engine) -> None:
    with pytest.raises(InputError, match="empty"):
        access_metrics(engine, STAFF, since=at(5), until=at(4))
    with pytest.raises(InputError, match="time zone"):
        access_metrics(engine, STAFF, since=datetime(2024, 1, 1))


def test_an_empty_ledger(engine: Engine) -> None:
    report = access_metrics(engine, STAFF)
    assert report["time_to_first_response"]["threads"] == 0
    assert report["members"]["total"] == 0
    assert report["bus_factor"] is None
    assert report["nps"]["score"] is None


def test_nps_answers_are_recorded_and_scored(ledger: Engine) -> None:
    hana_id = member_of(ledger, DC, "hana")
    ivan_id = member_of(ledger, DC, "ivan")
    first = check_record_nps(ledger, STAFF, hana_id, "9", " great ", answered_at=at(3))
    check_record_nps(ledger, STAFF, None, 10, None, answered_at=at(3))
    check_record_nps(ledger, Caller("ivan", member_id=ivan_id), ivan_id, 3, answered_at=at(4))
    with ledger.connect() as conn:
        row = conn.execute(select(nps_responses).where(nps_responses.c.id == first)).one()
        audited = conn.scalar(
            select(audit_log.c.action).where(audit_log.c.subject_id == str(first))
        )
    assert (row.member_id, row.score, row.comment) == (hana_id, 9, "great")
    assert audited == "nps.recorded"
    nps = access_metrics(ledger, STAFF)["nps"]
    assert nps == {"answers": 3, "promoters": 2, "passives": 0, "detractors": 1, "score": 33.33}


@pytest.mark.parametrize("score", ["11", "-1", "nine", 4.5, None, True])
def test_a_bad_score_is_a_clear_error(engine: Engine, score: object) -> None:
    with pytest.raises(InputError, match="from 0 to 10"):
        check_record_nps(engine, STAFF, None, score)


def test_nps_checks_the_member_and_who_answers(ledger: Engine) -> None:
    hana_id = member_of(ledger, DC, "hana")
    with pytest.raises(NotFound):
        do_record_nps(ledger, STAFF, 9999, 5, None)
    with pytest.raises(PermissionDenied):
        do_record_nps(ledger, Caller("someone", member_id=1234), hana_id, 5, None)
    with pytest.raises(InputError):
        check_record_nps(ledger, STAFF, None, 5, "x" * 5000)
    from hearth.actions.members import do_merge

    ivan_id = member_of(ledger, DC, "ivan")
    do_merge(ledger, STAFF, ivan_id, hana_id)
    with pytest.raises(Conflict):
        do_record_nps(ledger, STAFF, ivan_id, 5, None)


def test_week_month_ranges_cover_the_period_exactly() -> None:
    start, end = datetime(2024, 1, 30, 15, tzinfo=UTC), datetime(2024, 3, 2, tzinfo=UTC)
    parts = list(mq.week_month_ranges(start, end))
    assert parts[0][2] == start and parts[-1][3] == end
    assert all(a[3] == b[2] for a, b in itertools.pairwise(parts))
    assert all(
        since.weekday() == 0 or since.day == 1 or since == start for _m, _w, since, _u in parts
    )
    assert ("2024-02", datetime(2024, 1, 29).date()) == (parts[1][0], parts[1][1])


# -- the real sample: hearth metrics against a computation of its own ----------------------


def _by_bot(post: dict[str, Any]) -> bool:
    """Discourse's own accounts (system, discobot) have ids below 1."""
    return post["user_id"] is not None and post["user_id"] <= 0


def _by_opener(post: dict[str, Any], creator_id: int | None, creator_name: str) -> bool:
    if post["user_id"] is not None:
        return bool(post["user_id"] == creator_id)
    return creator_id is None and post["username"] == creator_name  # a deleted account


def _independent_thread_figures(tarball: Path) -> dict[str, float]:
    """Straight from the topic JSON files, with the definitions of docs/metrics.md."""

    def when(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    threads = resolved = 0
    delays: list[float] = []
    with tarfile.open(tarball) as tar:
        for member in tar:
            if not (member.isfile() and member.name.endswith(".json")):
                continue
            topic = json.load(tar.extractfile(member))  # type: ignore[arg-type]
            if topic.get("archetype") == "private_message":
                continue
            posts = topic["post_stream"]["posts"]
            opening = next(p for p in posts if p["post_number"] == 1)
            creator_id, creator_name = opening["user_id"], opening["username"]
            if creator_id is not None and creator_id <= 0:
                continue  # opened by Discourse's own accounts (bots)

            threads += 1
            replies = [
                when(p["created_at"])
                for p in posts
                if p["post_number"] != 1
                and p.get("post_type") not in (3, 4)  # small actions and whispers
                and not _by_bot(p)
                and not _by_opener(p, creator_id, creator_name)
            ]
            if replies:
                hours = (min(replies) - when(topic["created_at"])).total_seconds() / 3600
                delays.append(max(hours, 0.0))
            if topic.get("accepted_answer") or any(p.get("accepted_answer") for p in posts):
                resolved += 1
    return {
        "threads": threads,
        "responded": len(delays),
        "median_hours": statistics.median(delays),
        "p90_hours": statistics.quantiles(delays, n=10, method="inclusive")[8],
        "response_rate": len(delays) / threads,
        "resolution_rate": resolved / threads,
    }


@pytest.mark.slow
def test_urho3d_sample_agrees_with_an_independent_computation(
    engine: Engine, shared_data: Path
) -> None:
    from hearth.connectors.discourse.archive import parse_archive

    tarball = shared_data / "discourse" / "urho3d-sample" / "topics.tar.gz"
    assert ingest(engine, parse_archive(tarball)).rejected == 0
    expected = _independent_thread_figures(tarball)
    report = access_metrics(engine, STAFF)
    first = report["time_to_first_response"]
    assert (first["threads"], first["responded"]) == (expected["threads"], expected["responded"])
    assert first["median_hours"] == pytest.approx(expected["median_hours"], abs=1e-4)
    assert first["p90_hours"] == pytest.approx(expected["p90_hours"], abs=1e-4)
    assert report["response_rate"] == pytest.approx(expected["response_rate"], abs=1e-4)
    assert report["resolution_rate"] == pytest.approx(expected["resolution_rate"], abs=1e-4)
    # the figures themselves, as documented in docs/metrics.md
    assert (first["threads"], first["responded"]) == (997, 879)
    assert report["time_to_close"]["resolved"] == 131


def test_the_funnel_counts_members_who_began_holding_a_tier(ledger: Engine) -> None:
    from hearth.actions import derive
    from hearth.actions.grants import do_grant_tier
    from hearth.playbooks import load_playbook

    phoenix = load_playbook("phoenix")
    derive.do_catch_up(ledger, phoenix)
    steps = {s["step"]: s for s in access_metrics(ledger, STAFF)["funnel"]["steps"]}
    assert steps["champion"]["available"] is True and "note" not in steps["champion"]
    assert steps["champion"]["reached"] == 0
    # staff make hana (joined on Discord in the period) core team on day 5
    hana_id = member_of(ledger, DC, "hana")
    do_grant_tier(ledger, STAFF, phoenix, hana_id, "core_team", "invited", at=at(5))
    derive.do_catch_up(ledger, phoenix)
    steps = {s["step"]: s for s in access_metrics(ledger, STAFF)["funnel"]["steps"]}
    assert steps["champion"]["reached"] == 1
    with ledger.connect() as conn:
        assert conn.execute(
            select(member_tiers.c.since, member_tiers.c.first_since).where(
                member_tiers.c.member_id == hana_id
            )
        ).one() == (at(5), at(5))
    assert steps["champion"]["members"] <= steps["contributed"]["members"]
    # a period that ends before the grant does not count it
    early = access_metrics(ledger, STAFF, until=at(4))["funnel"]["steps"]
    assert {s["step"]: s for s in early}["champion"]["reached"] == 0
