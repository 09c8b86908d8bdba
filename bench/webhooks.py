"""Webhook throughput: signed GitHub deliveries into a real server on loopback.

Run ``python -m bench.webhooks [--deliveries N] [--concurrency C]`` from the repository root.
It starts ``hearth serve`` (one uvicorn process, SQLite in WAL mode) on a free loopback port,
then a small asyncio HTTP/1.1 client keeps ``C`` keep-alive connections busy with:

1. ``GET /healthz`` — the baseline: the same server, the same HTTP stack, a trivial route
   (what the machine can do before Hearth does any work);
2. ``POST /hooks/github`` — ``issue_comment`` deliveries, each with its own delivery id and
   comment id (so each one stores one new activity), signed with HMAC-SHA256.

It reports requests per second and the p50/p99 latency of each, medians over ``--repeats``
rounds, as a Markdown table. The client shares the machine's two cores with the server, so the
figures are a floor for a server with a core of its own. Traffic goes only to 127.0.0.1, and every
loop is bounded in count.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.loopback import free_port, percentile, run_load

SECRET = "bench-webhook-secret-0123456789"
HEARTH = [sys.executable, "-c", "from hearth.cli import main; main()"]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
EXAMPLE = SHARED / "github-webhooks/api.github.com/issue_comment/created.payload.json"


def deliveries(count: int) -> list[bytes]:
    """``count`` raw HTTP requests, each a new signed issue_comment delivery."""
    payload = json.loads(EXAMPLE.read_text())
    requests = []
    for n in range(count):
        payload["comment"]["id"] = 10_000_000 + n
        payload["comment"]["user"]["id"] = 5000 + n % 400
        payload["comment"]["user"]["login"] = f"user{n % 400}"
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        head = (
            "POST /hooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\n"
            f"X-GitHub-Event: issue_comment\r\nX-GitHub-Delivery: bench-{n}\r\n"
            f"X-Hub-Signature-256: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return requests


def one_round(folder: Path, count: int, concurrency: int, run: int) -> dict[str, float]:
    url = f"sqlite:///{folder}/webhooks-{run}.db"
    subprocess.run([*HEARTH, "--db", url, "init"], check=True, capture_output=True)
    port = free_port()
    env = {**os.environ, "HEARTH_GITHUB_WEBHOOK_SECRET": SECRET}
    server = subprocess.Popen(
        [*HEARTH, "--db", url, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        health = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        asyncio.run(run_load(port, [health] * 200, concurrency))  # warm-up
        base_s, base_lat = asyncio.run(run_load(port, [health] * count, concurrency))
        hook_s, hook_lat = asyncio.run(run_load(port, deliveries(count), concurrency))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "baseline_rps": count / base_s,
        "baseline_p50_ms": percentile(base_lat, 0.5) * 1000,
        "baseline_p99_ms": percentile(base_lat, 0.99) * 1000,
        "hook_rps": count / hook_s,
        "hook_p50_ms": percentile(hook_lat, 0.5) * 1000,
        "hook_p99_ms": percentile(hook_lat, 0.99) * 1000,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="hearth-bench-hooks-") as tmp:
        for run in range(args.repeats):
            rounds.append(one_round(Path(tmp), args.deliveries, args.concurrency, run))
            print(f"round {run + 1} of {args.repeats} done", file=sys.stderr)
    med = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    target = med["hook_rps"] >= 1000 and med["hook_p99_ms"] < 50
    table = "\n".join(
        [
            f"Webhook deliveries: {args.deliveries:,} per round, concurrency "
            f"{args.concurrency}, median of {args.repeats} rounds "
            f"({platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} cores).",
            "",
            "| route | requests/s | p50 ms | p99 ms |",
            "|---|---:|---:|---:|",
            f"| `GET /healthz` (baseline) | {med['baseline_rps']:,.0f} | "
            f"{med['baseline_p50_ms']:.1f} | {med['baseline_p99_ms']:.1f} |",
            f"| `POST /hooks/github` | {med['hook_rps']:,.0f} | {med['hook_p50_ms']:.1f} | "
            f"{med['hook_p99_ms']:.1f} |",
            "",
            f"Target (≥ 1,000/s and p99 < 50 ms): {'met' if target else 'missed'}; deliveries "
            f"run at {med['hook_rps'] / med['baseline_rps']:.0%} of the baseline rate.",
        ]
    )
    print(table)
    if args.output:
        args.output.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
