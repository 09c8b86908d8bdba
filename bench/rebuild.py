"""Benchmark: a full rebuild of the derived tables over 1,000,000 generated activities.

Target (issue "Playbook and rules engine"): under 10 s and under 1 GB on 2 cores with the
``phoenix`` playbook; and incremental ingest with derivation at least half the plain ingest rate.

Each figure is measured in a fresh child process (peak memory is the child's max RSS). The
baseline measured in the same run is reading the same rows in the fold's order with the raw
driver cursor and doing nothing with them: the floor any derivation pays.

The incremental figure compares like with like: 100,000 activities ingested in calls of 5,000,
each call followed by a catch-up, against the same calls without one. (A single call of
100,000, which switches to bulk mode half way, is reported beside them.)

    python -m bench.rebuild [--events 1000000] [--runs 3] [--output bench/out/rebuild.md]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def _child(kind: str, db: str, extra: str) -> dict[str, float]:
    code = f"""
import json, resource, time
from hearth.store.db import create_engine
from hearth.playbooks import load_playbook
engine = create_engine({db!r})
started = time.perf_counter()
kind = {kind!r}
if kind == "read":
    from hearth.store.derived import stream_facts
    with engine.connect() as conn:
        n = sum(1 for _ in stream_facts(conn))
elif kind == "rebuild":
    from hearth.actions.derive import do_rebuild
    n = do_rebuild(engine, load_playbook("phoenix")).activities
elif kind == "ingest":
    from hearth.actions.ingest import ingest
    from hearth.connectors.demo.generator import generate
    n = ingest(engine, generate({extra})).imported
elif kind in ("ingest_batched", "ingest_derive"):
    from itertools import islice
    from hearth.actions.derive import do_catch_up
    from hearth.actions.ingest import ingest
    from hearth.connectors.demo.generator import generate
    playbook = load_playbook("phoenix")
    records = generate({extra})
    n = 0
    while True:
        batch = list(islice(records, 5000))
        if not batch:
            break
        n += ingest(engine, batch).imported
        if kind == "ingest_derive":
            do_catch_up(engine, playbook)
seconds = time.perf_counter() - started
print(json.dumps({{"n": n, "seconds": seconds,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _fresh(folder: Path, name: str) -> str:
    url = f"sqlite:///{folder}/{name}.db"
    hearth = Path(sys.executable).parent / "hearth"
    subprocess.run([str(hearth), "--db", url, "init"], check=True, capture_output=True)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    gen = f"members={args.members}, events={args.events}, seed=1"
    small = f"members={args.members // 10}, events={args.events // 10}, seed=2"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = _fresh(folder, "big")
        load = _child("ingest", db, gen)
        reads = [_child("read", db, "") for _ in range(args.runs)]
        rebuilds = [_child("rebuild", db, "") for _ in range(args.runs)]
        plain = _child("ingest", _fresh(folder, "plain"), small)
        batched = _child("ingest_batched", _fresh(folder, "batched"), small)
        derived = _child("ingest_derive", _fresh(folder, "derived"), small)
    read_s = statistics.median(r["seconds"] for r in reads)
    rebuild_s = statistics.median(r["seconds"] for r in rebuilds)
    peak = max(r["rss_mb"] for r in rebuilds)
    plain_rate = plain["n"] / plain["seconds"]
    batched_rate = batched["n"] / batched["seconds"]
    derived_rate = derived["n"] / derived["seconds"]
    lines = [
        f"Rebuild benchmark: {load['n']:,} generated activities ({args.members:,} members), "
        f"phoenix playbook, SQLite, median of {args.runs} runs",
        "",
        "| measure | median | target |",
        "|---|---|---|",
        f"| read every activity in fold order (baseline) | {read_s:.2f} s | — |",
        f"| `hearth rebuild` | {rebuild_s:.2f} s | < 10 s |",
        f"| rebuild peak memory (max RSS) | {peak:,.0f} MiB | < 1,024 MiB |",
        f"| plain ingest, {plain['n']:,} activities in one call (bulk mode from 50,000) "
        f"| {plain_rate:,.0f} /s | — |",
        f"| plain ingest, the same in calls of 5,000 | {batched_rate:,.0f} /s | — |",
        f"| ingest in calls of 5,000, each followed by a catch-up | {derived_rate:,.0f} /s "
        f"(**{derived_rate / batched_rate:.0%}** of the same calls without; "
        f"{derived_rate / plain_rate:.0%} of one call) | ≥ 50% |",
    ]
    text = "\n".join(lines)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
