"""Staff dashboard latency over a generated ledger of 1,000,000 activities (SQLite).

Run ``python -m bench.dashboard [--events N] [--requests N] [--concurrency C]`` from the
repository root. It generates the community (``hearth generate``, deterministic), creates a
staff account and a session for it, starts ``hearth serve`` (one uvicorn process, SQLite in WAL
mode) on a free loopback port, and then:

1. times the first ``GET /staff/dashboard?period=all`` — the cold computation over the whole
   ledger, which fills the cache;
2. keeps ``C`` keep-alive connections busy with ``GET /healthz`` (the baseline: the same server
   and HTTP stack, a trivial route) and with ``GET /staff/dashboard?period=all`` (signed in:
   session lookup, the ledger-version check, the cached figures, the page rendered), in
   ``--repeats`` alternating rounds, and reports the median p50 and p95 of the rounds.

The client shares the machine's cores with the server. Traffic goes only to 127.0.0.1; every
loop is bounded in count. ``--db PATH`` keeps (or reuses) the generated database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.loopback import free_port, in_ledger, ledger_arguments, percentile, request, run_load

HEARTH = [sys.executable, "-c", "from hearth.cli import main; main()"]
DASHBOARD = "/staff/dashboard?period=all"
TARGET_P95_MS = 150.0


def prepare(db: Path, events: int, members: int, seed: int) -> tuple[str, float]:
    """Generate the ledger (unless ``db`` exists; a kept one is brought to the current schema
    first); a staff session token; generation seconds."""
    url = f"sqlite:///{db}"
    seconds = 0.0
    fresh = not db.exists()
    started = time.perf_counter()
    subprocess.run([*HEARTH, "--db", url, "init"], check=True, capture_output=True)
    if fresh:
        subprocess.run(
            [
                *HEARTH,
                "--db",
                url,
                "generate",
                "--members",
                str(members),
                "--events",
                str(events),
                "--seed",
                str(seed),
            ],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
    from hearth.actions.accounts import Account, check_create_account
    from hearth.actions.context import Caller
    from hearth.actions.sessions import do_start_session
    from hearth.domain.roles import Role
    from hearth.store.db import create_engine

    engine = create_engine(url)
    name = f"bench-{os.getpid()}-{int(time.time())}"
    account_id = check_create_account(
        engine, Caller.operator(), name, "bench-password-0123", "staff"
    )
    token = do_start_session(engine, Account(account_id, name, Role.staff, None))
    engine.dispose()
    return token, seconds


def measure(args: argparse.Namespace, db: Path) -> dict[str, float]:
    token, generated = prepare(db, args.events, args.members or args.events // 20, args.seed)
    port = free_port()
    server = subprocess.Popen(
        [*HEARTH, "--db", f"sqlite:///{db}", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        started = time.perf_counter()
        asyncio.run(run_load(port, [request(DASHBOARD, token)], 1))
        cold = time.perf_counter() - started
        health = [request("/healthz")] * args.requests
        dashboard = [request(DASHBOARD, token)] * args.requests
        asyncio.run(run_load(port, health[:100] + dashboard[:100], args.concurrency))  # warm-up
        rounds: dict[str, list[float]] = {k: [] for k in ("h50", "h95", "d50", "d95")}
        for _ in range(args.repeats):
            _, base = asyncio.run(run_load(port, health, args.concurrency))
            _, dash = asyncio.run(run_load(port, dashboard, args.concurrency))
            rounds["h50"].append(percentile(base, 0.5) * 1000)
            rounds["h95"].append(percentile(base, 0.95) * 1000)
            rounds["d50"].append(percentile(dash, 0.5) * 1000)
            rounds["d95"].append(percentile(dash, 0.95) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {key: statistics.median(values) for key, values in rounds.items()}
    result.update(cold_s=cold, generated_s=generated)
    return result


def main(argv: list[str] | None = None) -> None:
    args = ledger_arguments("python -m bench.dashboard", __doc__).parse_args(argv)
    result = in_ledger(args, "dashboard", measure)
    met = result["d95"] < TARGET_P95_MS
    table = "\n".join(
        [
            f"Dashboard over {args.events:,} generated activities (SQLite, seed {args.seed}): "
            f"{args.requests:,} requests per route and round at concurrency {args.concurrency}, "
            f"median of {args.repeats} rounds ({platform.python_implementation()} "
            f"{platform.python_version()}, {os.cpu_count()} cores).",
            "",
            "| route | p50 ms | p95 ms |",
            "|---|---:|---:|",
            f"| `GET /healthz` (baseline) | {result['h50']:.1f} | {result['h95']:.1f} |",
            f"| `GET {DASHBOARD}` (signed in, cached) | {result['d50']:.1f} | "
            f"{result['d95']:.1f} |",
            "",
            f"First request (computes every metric over the ledger and fills the cache): "
            f"{result['cold_s']:.1f} s."
            + (
                f" Generating the ledger took {result['generated_s']:.0f} s."
                if result["generated_s"]
                else ""
            ),
            f"Target (dashboard p95 < {TARGET_P95_MS:.0f} ms): {'met' if met else 'missed'}.",
        ]
    )
    print(table)
    if args.output:
        args.output.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
