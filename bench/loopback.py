"""What the HTTP benchmarks share: a free loopback port, raw HTTP/1.1 requests, a keep-alive
load client, and percentiles.

The load client is deliberately small (asyncio streams, no HTTP library): on two cores it must
leave as much CPU as possible to the server it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(path: str, cookie: str | None = None) -> bytes:
    """A GET for ``path`` (with a Hearth session cookie when given)."""
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if cookie:
        head += f"Cookie: hearth_session={cookie}\r\n"
    return (head + "\r\n").encode()


async def run_load(port: int, requests: list[bytes], concurrency: int) -> tuple[float, list[float]]:
    """Send every request over ``concurrency`` keep-alive connections: (seconds, latencies).
    Any answer other than 200 stops the benchmark."""
    latencies: list[float] = []
    queue = iter(requests)
    failures: list[bytes] = []

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for raw in queue:
                started = time.perf_counter()
                writer.write(raw)
                status = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if b" 200 " not in status:
                    failures.append(status)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests did not answer 200: {failures[0]!r}")
    return elapsed, latencies


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (as docs/metrics.md)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ledger_arguments(prog: str, description: str | None) -> argparse.ArgumentParser:
    """The options every benchmark of pages over a generated ledger takes."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=None, help="default: events / 20")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=1000, help="per route and round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--db", type=Path, help="keep (or reuse) the generated database here")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    return parser


def in_ledger(
    args: argparse.Namespace, name: str, measure: Callable[[argparse.Namespace, Path], Any]
) -> Any:
    """``measure(args, path)`` on the database ``--db`` names, or on a throwaway one."""
    if args.db is not None:
        return measure(args, args.db.resolve())
    with tempfile.TemporaryDirectory(prefix=f"hearth-bench-{name}-") as tmp:
        return measure(args, Path(tmp) / f"{name}.db")
