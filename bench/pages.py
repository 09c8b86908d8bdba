"""Leaderboard and profile latency over a generated ledger of 1,000,000 activities (SQLite).

Run ``python -m bench.pages [--events N] [--requests N] [--concurrency C]`` from the repository
root. It generates the community (``generate(members=events/20, events, seed)``, starting 470
days ago so that "this month" has activity), stores it with ``actions.ingest.ingest`` and
derives it with ``actions.derive.do_rebuild`` (the phoenix playbook), starts ``hearth serve``
(one uvicorn process, SQLite in WAL mode) on a free loopback port, and keeps ``C`` keep-alive
connections busy, with, in ``--repeats`` alternating rounds:

- ``GET /healthz`` — the baseline: the same server and HTTP stack, a trivial route;
- ``GET /leaderboards/most_helpful?window=all_time`` — the costliest board of the playbook
  (distinct members helped, over all time, from the ``helps`` relation);
- ``GET /leaderboards/most_helpful`` — the same board this month (its default window);
- ``GET /members/{id}`` of the board's first place — the busiest profile;
- ``GET /members/{id}`` of members picked at random (seeded) — a typical profile;

- ``GET /members/{id}`` of the same random members, signed in as a member (a session cookie:
  the session read, and the account's member followed through any merge, on every request);

and reports the median over rounds of each route's p50 and p95. The client shares the
machine's cores with the server. Traffic goes only to 127.0.0.1; every loop is bounded.
``--db PATH`` keeps (or reuses) the generated database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.loopback import free_port, in_ledger, ledger_arguments, percentile, request, run_load

HEARTH = [sys.executable, "-c", "from hearth.cli import main; main()"]
BOARD = "/leaderboards/most_helpful?window=all_time"
BOARD_MONTH = "/leaderboards/most_helpful"
TARGET_P95_MS = 50.0


def prepare(db: Path, events: int, members: int, seed: int) -> dict[str, float]:
    """Generate, ingest and derive the ledger unless ``db`` exists; the seconds each took."""
    if db.exists():
        return {}
    from hearth.actions.derive import do_rebuild
    from hearth.actions.ingest import ingest
    from hearth.connectors.demo.generator import generate
    from hearth.playbooks import load_playbook
    from hearth.store.db import create_engine

    url = f"sqlite:///{db}"
    subprocess.run([*HEARTH, "--db", url, "init"], check=True, capture_output=True)
    engine = create_engine(url)
    start = datetime.now(UTC) - timedelta(days=470)
    started = time.perf_counter()
    ingest(engine, generate(members=members, events=events, seed=seed, start=start))
    ingested = time.perf_counter() - started
    started = time.perf_counter()
    do_rebuild(engine, load_playbook("phoenix"))
    rebuilt = time.perf_counter() - started
    engine.dispose()
    return {"ingest_s": ingested, "rebuild_s": rebuilt}


def pick_members(db: Path, count: int, seed: int) -> tuple[int, list[int]]:
    """The most helpful member of all time, and ``count`` live members at random."""
    from hearth.actions.context import Caller
    from hearth.actions.standing import access_leaderboard
    from hearth.playbooks import load_playbook
    from hearth.store.db import create_engine
    from hearth.store.tables import members

    engine = create_engine(f"sqlite:///{db}")
    places = access_leaderboard(
        engine, Caller.operator(), load_playbook("phoenix"), "most_helpful", "all_time"
    )
    with engine.connect() as conn:
        ids = [
            int(row.id)
            for row in conn.execute(
                members.select()
                .with_only_columns(members.c.id)
                .where(members.c.is_bot.is_(False), members.c.merged_into.is_(None))
            )
        ]
    engine.dispose()
    top = places[0].member_id
    assert top is not None
    return top, random.Random(seed).sample(ids, min(count, len(ids)))


def member_session(db: Path, candidates: list[int]) -> str:
    """A session token for a new web account of the first of ``candidates`` without one."""
    from hearth.actions.accounts import Account, check_create_account
    from hearth.actions.context import Caller
    from hearth.actions.sessions import do_start_session
    from hearth.domain.roles import Role
    from hearth.errors import Conflict
    from hearth.store.db import create_engine

    engine = create_engine(f"sqlite:///{db}")
    try:
        for member_id in candidates:
            name = f"bench-member-{member_id}"
            try:
                account_id = check_create_account(
                    engine, Caller.operator(), name, "bench-password-0123", "member", member_id
                )
            except Conflict:  # a kept database: this member has its account already
                continue
            return do_start_session(engine, Account(account_id, name, Role.member, member_id))
        raise RuntimeError("every candidate member has an account already")
    finally:
        engine.dispose()


def measure(args: argparse.Namespace, db: Path) -> dict[str, float]:
    loaded = prepare(db, args.events, args.members or args.events // 20, args.seed)
    top, sample = pick_members(db, 500, args.seed)
    token = member_session(db, sample[::-1])
    port = free_port()
    server = subprocess.Popen(
        [*HEARTH, "--db", f"sqlite:///{db}", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    n = args.requests
    routes = {
        "healthz": [request("/healthz")] * n,
        "board": [request(BOARD)] * n,
        "board_month": [request(BOARD_MONTH)] * n,
        "top_profile": [request(f"/members/{top}")] * n,
        "profile": [request(f"/members/{sample[i % len(sample)]}") for i in range(n)],
        "profile_member": [
            request(f"/members/{sample[i % len(sample)]}", cookie=token) for i in range(n)
        ],
    }
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        first: dict[str, float] = {}
        for key, requests in routes.items():  # the first request of each (cold caches)
            started = time.perf_counter()
            asyncio.run(run_load(port, requests[:1], 1))
            first[key] = (time.perf_counter() - started) * 1000
        warm = [r for requests in routes.values() for r in requests[:50]]
        asyncio.run(run_load(port, warm, args.concurrency))
        rounds: dict[str, list[float]] = {}
        for _ in range(args.repeats):
            for key, requests in routes.items():
                _, latencies = asyncio.run(run_load(port, requests, args.concurrency))
                rounds.setdefault(f"{key}_50", []).append(percentile(latencies, 0.5) * 1000)
                rounds.setdefault(f"{key}_95", []).append(percentile(latencies, 0.95) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {key: statistics.median(values) for key, values in rounds.items()}
    result.update({f"{key}_first": ms for key, ms in first.items()})
    result.update(loaded)
    result["top"] = top
    return result


LABELS = {
    "healthz": "`GET /healthz` (baseline)",
    "board": f"`GET {BOARD}`",
    "board_month": f"`GET {BOARD_MONTH}` (this month)",
    "top_profile": "`GET /members/{id}`, the board's first place",
    "profile": "`GET /members/{id}`, 500 members at random",
    "profile_member": "`GET /members/{id}`, the same, signed in as a member",
}


def main(argv: list[str] | None = None) -> None:
    args = ledger_arguments("python -m bench.pages", __doc__).parse_args(argv)
    result = in_ledger(args, "pages", measure)
    lines = [
        f"Leaderboard and profile pages over {args.events:,} generated activities (SQLite, seed "
        f"{args.seed}): {args.requests:,} requests per route and round at concurrency "
        f"{args.concurrency}, median of {args.repeats} rounds ({platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores).",
        "",
        "| route | p50 ms | p95 ms | first request ms |",
        "|---|---:|---:|---:|",
    ]
    for key, label in LABELS.items():
        lines.append(
            f"| {label} | {result[f'{key}_50']:.1f} | {result[f'{key}_95']:.1f} | "
            f"{result[f'{key}_first']:.0f} |"
        )
    worst = max(result[f"{key}_95"] for key in LABELS if key != "healthz")
    lines += [
        "",
        f"Target (leaderboard and profile p95 < {TARGET_P95_MS:.0f} ms): "
        + ("met." if worst < TARGET_P95_MS else f"missed (worst p95 {worst:.1f} ms)."),
    ]
    if "ingest_s" in result:
        lines.append(
            f"Loading took {result['ingest_s']:.0f} s (ingest) and {result['rebuild_s']:.1f} s "
            "(rebuild)."
        )
    table = "\n".join(lines)
    print(table)
    if args.output:
        args.output.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
