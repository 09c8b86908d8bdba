"""Derivation in the database: incremental catch-up equals a rebuild, whatever the order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select

from hearth.actions import derive
from hearth.actions.context import Caller
from hearth.actions.ingest import ingest
from hearth.actions.members import do_flag
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.playbooks import load_playbook
from hearth.store.tables import (
    awards,
    board_tallies,
    helps,
    member_points_daily,
    member_standing,
    member_tiers,
    metadata,
)

PHOENIX = load_playbook("phoenix")
T0 = datetime(2026, 3, 1, tzinfo=UTC)
USERS = [f"u{i}" for i in range(6)]


def who(name: str) -> IdentityRef:
    return IdentityRef("github", name, handle=name)


def ledger(rng: random.Random, size: int) -> list[ActivityIn]:
    """A small random community: questions, answers, acceptances, PRs, tutorials, chat."""
    out: list[ActivityIn] = []
    questions: list[tuple[str, str]] = []
    for n in range(size):
        at = T0 + timedelta(hours=rng.randrange(0, 24 * 90))
        user = rng.choice(USERS)
        choice = rng.random()
        sid = f"a{n}"
        if choice < 0.2 or not questions:
            questions.append((sid, user))
            out.append(ActivityIn("github", sid, "thread.started", at, who(user), "thread", sid))
        elif choice < 0.45:
            qid, asker = rng.choice(questions)
            out.append(
                ActivityIn(
                    "github", sid, "thread.replied", at, who(user), "thread", qid, who(asker)
                )
            )
        elif choice < 0.55:
            qid, asker = rng.choice(questions)
            out.append(
                ActivityIn("github", sid, "answer.accepted", at, who(asker), "post", qid, who(user))
            )
        elif choice < 0.7:
            out.append(
                ActivityIn(
                    "github",
                    sid,
                    "pr.merged",
                    at,
                    who(user),
                    "pull_request",
                    sid,
                    properties={
                        "labels": rng.choice([["bug"], ["docs"]]),
                        "severity": rng.choice(["low", "high", "critical"]),
                    },
                )
            )
        elif choice < 0.8:
            out.append(
                ActivityIn(
                    "github",
                    sid,
                    "content.published",
                    at,
                    who(user),
                    properties={"content_type": rng.choice(["tutorial", "blog_post"])},
                )
            )
        else:
            out.append(
                ActivityIn(
                    "discord",
                    sid,
                    "message.posted",
                    at,
                    IdentityRef("discord", user),
                    "channel",
                    "c",
                    properties={"channel": "🆘-quick-help", "reply_to": "x"},
                )
            )
    return out


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    tables = {
        "standing": (member_standing, None),
        "daily": (member_points_daily, None),
        "awards": (awards, "id"),
        "helps": (helps, "id"),
        "tiers": (member_tiers, None),
        "tallies": (board_tallies, None),
    }
    out = {}
    with engine.connect() as conn:
        for name, (table, skip) in tables.items():
            columns = [c for c in table.c if c.name != skip]
            rows = conn.execute(select(*columns)).all()
            out[name] = sorted(tuple(repr(v) for v in row) for row in rows)
    return out


def wipe(engine: Engine) -> None:
    derive.forget_cache()
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(delete(table))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    batches=st.integers(1, 8),
    size=st.integers(5, 80),
    live=st.booleans(),
)
def test_incremental_equals_rebuild_for_any_batch_order(
    engine: Engine, seed: int, batches: int, size: int, live: bool
) -> None:
    wipe(engine)
    rng = random.Random(seed)
    records = ledger(rng, size)
    # Live traffic arrives in order (the fold resumes); history in any order (it rebuilds).
    if live:
        records.sort(key=lambda r: (r.occurred_at, r.source_id))
    else:
        rng.shuffle(records)
    cut = sorted(rng.sample(range(1, size), min(batches - 1, size - 1))) if size > 1 else []
    chunks = [records[a:b] for a, b in zip([0, *cut], [*cut, size], strict=True)]
    for chunk in chunks:
        ingest(engine, chunk)
        derive.do_catch_up(engine, PHOENIX)
        if rng.random() < 0.3:
            derive.forget_cache()  # another process resumes from the checkpoint
    ingest(engine, records[: size // 2])  # duplicates change nothing
    derive.do_catch_up(engine, PHOENIX)
    incremental = snapshot(engine)
    assert incremental["standing"]  # the ledger was derived at all
    derive.do_rebuild(engine, PHOENIX)
    assert snapshot(engine) == incremental


def test_live_traffic_resumes_instead_of_rebuilding(engine: Engine) -> None:
    wipe(engine)
    records = sorted(ledger(random.Random(3), 60), key=lambda r: (r.occurred_at, r.source_id))
    ingest(engine, records[:30])
    first = derive.do_catch_up(engine, PHOENIX)
    assert first.mode == "rebuild"
    later = [
        ActivityIn("github", f"late{i}", "pr.merged", T0 + timedelta(days=400 + i), who("u1"))
        for i in range(3)
    ]
    ingest(engine, later)
    report = derive.do_catch_up(engine, PHOENIX)
    assert (report.mode, report.activities) == ("incremental", 3)
    assert derive.do_catch_up(engine, PHOENIX).mode == "unchanged"
    derive.forget_cache()
    ingest(
        engine, [ActivityIn("github", "later", "pr.merged", T0 + timedelta(days=500), who("u1"))]
    )
    assert derive.do_catch_up(engine, PHOENIX).mode == "incremental"  # from the checkpoint
    ingest(engine, records[30:])  # older history: rebuild
    assert derive.do_catch_up(engine, PHOENIX).mode == "rebuild"


def test_flagging_a_member_rebuilds(engine: Engine) -> None:
    wipe(engine)
    ingest(
        engine,
        [
            ActivityIn(
                "github",
                "t1",
                "content.published",
                T0,
                who("bot"),
                properties={"content_type": "tutorial"},
            )
        ],
    )
    derive.do_catch_up(engine, PHOENIX)
    with engine.connect() as conn:
        member_id, points = conn.execute(
            select(member_standing.c.member_id, member_standing.c.points)
        ).one()
    assert points == 100
    do_flag(engine, Caller.operator(), member_id, is_bot=True)
    report = derive.do_catch_up(engine, PHOENIX)
    assert report.mode == "rebuild"


def test_export_carries_points_achievements_and_tier(engine: Engine) -> None:
    from hearth.actions.export import access_member_export
    from hearth.actions.grants import do_grant_tier

    wipe(engine)
    ingest(
        engine,
        [
            ActivityIn("github", "p1", "pr.opened", T0, who("ada")),
            ActivityIn(
                "github",
                "c1",
                "content.published",
                T0 + timedelta(days=1),
                who("ada"),
                properties={"content_type": "tutorial"},
            ),
        ],
    )
    derive.do_catch_up(engine, PHOENIX)
    ada = next(r for r in access_member_export(engine, Caller.operator(), PHOENIX))
    do_grant_tier(
        engine,
        Caller.operator(),
        PHOENIX,
        ada["member_id"],
        "core_team",
        "invited",
        at=T0 + timedelta(days=2),
    )
    derive.do_catch_up(engine, PHOENIX)
    ada = next(r for r in access_member_export(engine, Caller.operator(), PHOENIX))
    assert ada["points"] == 100
    assert [(a["achievement"], a["awarded_at"]) for a in ada["achievements"]] == [
        ("first_pr", T0.isoformat()),
        ("rising_star", (T0 + timedelta(days=1)).isoformat()),  # 100 points in month one
    ]
    assert ada["tier"] == "core_team"


def test_database_leaderboards_agree_with_the_fold(engine: Engine) -> None:
    """access_leaderboard (SQL over the derived tables) ranks exactly as the pure fold does."""
    from hearth.actions.standing import access_leaderboard
    from hearth.domain.rules import Derivation
    from hearth.store.derived import member_flags

    wipe(engine)
    records = ledger(random.Random(11), 300)
    ingest(engine, records)
    derive.do_catch_up(engine, PHOENIX)
    now = max(r.occurred_at for r in records)
    with engine.connect() as conn:
        fold, collected = derive.fold_in_memory(conn, PHOENIX, member_flags(conn))
    pure = Derivation(fold, now, collected)
    compared = 0
    for board in PHOENIX.leaderboards:
        for window in board.windows:
            stored = access_leaderboard(
                engine, Caller.operator(), PHOENIX, board.key, window, now=now
            )
            expected = pure.leaderboard(board.key, window)
            assert [(p.subject, p.value) for p in stored] == [
                (p.subject, p.value) for p in expected
            ], (board.key, window)
            compared += len(stored)
    assert compared > 0


def test_a_cached_profile_expires_when_a_tier_lapses(engine: Engine) -> None:
    """The profile cache keeps a profile only until its tier can change with time alone."""
    from hearth.actions.profiles import ProfileCache, access_profile_cached

    wipe(engine)
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    ada = IdentityRef("discord", "ada")
    records = [
        ActivityIn("discord", "join", "member.joined", start, ada),
        ActivityIn("github", "pr", "pr.merged", start + timedelta(days=1), who("ada")),
        ActivityIn("discord", "hi", "message.posted", start + timedelta(days=35), ada),
    ]
    for n in range(5):  # five askers accept ada's answers
        records.append(
            ActivityIn(
                "github",
                f"acc{n}",
                "answer.accepted",
                start + timedelta(days=2),
                who(f"asker{n}"),
                "post",
                f"a{n}",
                who("ada"),
            )
        )
    ingest(engine, records)
    # ada's GitHub and Discord identities are one member here.
    from hearth.actions.members import do_merge
    from hearth.store.tables import identities

    with engine.connect() as conn:
        ids = dict(
            conn.execute(
                select(identities.c.platform, identities.c.member_id).where(
                    identities.c.external_id == "ada"
                )
            ).all()
        )
    do_merge(engine, Caller.operator(), ids["github"], ids["discord"], "same person")
    derive.do_catch_up(engine, PHOENIX)
    cache = ProfileCache()
    member = ids["discord"]
    during = start + timedelta(days=80)  # the activity window lapsed (day 65.5); in grace
    held = access_profile_cached(engine, Caller.operator(), member, PHOENIX, cache, now=during)
    assert held.standing.tier is not None and held.standing.tier.key == "contributor"
    assert held.standing.changes_at == start + timedelta(days=95.5)  # the grace ends
    after = start + timedelta(days=96)
    gone = access_profile_cached(engine, Caller.operator(), member, PHOENIX, cache, now=after)
    assert gone.standing.tier is None  # not served from the cache past its expiry
