"""Ingest benchmark: Hearth's ingest against a bare ``sqlite3`` ``executemany`` of the same rows.

Run ``python -m bench.ingest [--events N]`` from the repository root (``make bench`` does). Each
of the ``--repeats`` rounds runs five child processes, so that each peak memory figure (the RSS
high-water mark from :func:`resource.getrusage`) belongs to one measurement alone:

1. ``generate``: only iterate the demo generator (how much of Hearth's time is generating);
2. ``parallel`` (the headline): generate the activities into a list first, untimed, then time
   :func:`hearth.actions.ingest.ingest` of that list into a fresh, migrated SQLite file the way
   the CLI imports (a second process reads and prepares the records after the first
   ``PARALLEL_AFTER``): Hearth's ingest with a source that costs nothing, as the bare insert
   has its rows ready;
3. ``hearth``: the same ingest in one process (``parallel_after=None``), streaming from the
   generator, whose time is taken out (it is pulled in chunks of 10,000, each timed): the
   figure before the two-process ingest, measured in the same round;
4. ``streamed``: the generator streamed into the two-process ingest, as ``hearth generate``
   does: the end-to-end rate, and the peak memory of both processes (bounded: the memory
   target is read here);
5. ``bare``: read back the rows Hearth stored (same columns, the same JSON text and timestamp
   text), hold them as tuples, then time plain ``executemany`` of them, one transaction per
   batch of the same size, into a fresh file with the same settings (read from a connection of
   Hearth's engine: page size, WAL, synchronous, WAL auto-checkpoint, page cache) and a bare
   table with the same unique ``(platform, source_id)`` constraint and the same
   ``ON CONFLICT DO NOTHING``. For reference it also times a second bare table that carries
   Hearth's three secondary indexes as well, and a third that gets them the way Hearth's bulk
   mode does: built after the load (the build is timed too).

The medians of the rounds are printed as a Markdown table and written, with every run's figures,
to ``bench/out/ingest.json`` and ``bench/out/ingest.md``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CHUNK = 10_000
TARGET_RATE = 100_000
TARGET_RATIO = 0.40
TARGET_RSS_MB = 1024
COLUMNS = (
    "platform, source_id, kind, occurred_at, actor_identity_id, actor_member_id, target_type, "
    "target_id, target_owner_identity_id, target_owner_member_id, properties"
)
BARE_TABLE = """
CREATE TABLE bare (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform VARCHAR(32) NOT NULL,
    source_id VARCHAR(255) NOT NULL,
    kind VARCHAR(64) NOT NULL,
    occurred_at DATETIME NOT NULL,
    actor_identity_id INTEGER,
    actor_member_id INTEGER,
    target_type VARCHAR(32),
    target_id VARCHAR(255),
    target_owner_identity_id INTEGER,
    target_owner_member_id INTEGER,
    properties JSON NOT NULL,
    UNIQUE (platform, source_id)
)
"""
# the settings read from a connection of Hearth's engine and given to the bare one (page_size
# first: it only takes effect before the file's first table)
PRAGMAS = ("page_size", "journal_mode", "synchronous", "wal_autocheckpoint", "cache_size")


def hearth_indexes() -> tuple[str, ...]:
    """Hearth's secondary indexes on ``activities`` (store/tables.py), for the bare table."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex

    from hearth.store.tables import activities

    statements = []
    for index in sorted(activities.indexes, key=lambda ix: str(ix.name)):
        if index.unique:
            continue
        sql = str(CreateIndex(index).compile(dialect=sqlite.dialect()))
        statements.append(
            sql.replace(f" ON {activities.name} ", " ON bare ").replace(
                str(index.name), f"{index.name}_bare"
            )
        )
    return tuple(statements)


def peak_rss_mb() -> float:
    """This process's resident set high-water mark, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TimedSource:
    """Iterates ``source`` in timed chunks, adding up the time spent producing items."""

    def __init__(self, source: Iterable[Any]) -> None:
        self._source = iter(source)
        self.seconds = 0.0

    def __iter__(self) -> Iterator[Any]:
        while True:
            began = time.perf_counter()
            chunk = list(islice(self._source, CHUNK))
            self.seconds += time.perf_counter() - began
            if not chunk:
                return
            yield from chunk


# -- the children ----------------------------------------------------------------------------


def child_generate(args: argparse.Namespace) -> dict[str, Any]:
    from hearth.connectors.demo.generator import generate

    began = time.perf_counter()
    count = sum(1 for _ in generate(args.members, args.events, args.seed))
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "count": count, "peak_rss_mb": peak_rss_mb()}


def migrated_engine(db: str) -> Any:
    from hearth.store import migrate
    from hearth.store.db import create_engine

    engine = create_engine(f"sqlite:///{db}")
    migrate.upgrade(engine)
    return engine


def check_imported(report: Any, args: argparse.Namespace) -> None:
    if report.imported != args.events:
        raise SystemExit(f"Hearth imported {report.imported} of {args.events}: {report.as_dict()}")


def timed_ingest(
    args: argparse.Namespace, source: Iterable[Any], parallel_after: int | None
) -> tuple[float, float]:
    """Ingest ``source`` into a fresh, migrated file; the wall and CPU seconds it took."""
    from hearth.actions.ingest import ingest

    engine = migrated_engine(args.db)
    began, cpu = time.perf_counter(), time.process_time()
    report = ingest(engine, source, batch_size=args.batch_size, parallel_after=parallel_after)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    engine.dispose()
    check_imported(report, args)
    return seconds, cpu


def child_parallel(args: argparse.Namespace) -> dict[str, Any]:
    from hearth.actions.ingest import PARALLEL_AFTER
    from hearth.connectors.demo.generator import generate

    activities = list(generate(args.members, args.events, args.seed))
    held_mb = peak_rss_mb()
    seconds, cpu = timed_ingest(args, activities, PARALLEL_AFTER)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "reader_cpu_seconds": children_cpu(),
        "source_held_mb": held_mb,
        "peak_rss_mb": peak_rss_mb(),
    }


def child_streamed(args: argparse.Namespace) -> dict[str, Any]:
    from hearth.actions.ingest import PARALLEL_AFTER
    from hearth.connectors.demo.generator import generate

    source = generate(args.members, args.events, args.seed)
    seconds, _cpu = timed_ingest(args, source, PARALLEL_AFTER)
    reader_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "peak_rss_mb": peak_rss_mb(), "reader_peak_rss_mb": reader_mb}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_hearth(args: argparse.Namespace) -> dict[str, Any]:
    from hearth.connectors.demo.generator import generate

    source = TimedSource(generate(args.members, args.events, args.seed))
    seconds, cpu = timed_ingest(args, source, None)
    return {
        "seconds": seconds,
        "generate_seconds": source.seconds,
        "ingest_seconds": seconds - source.seconds,
        "cpu_seconds": cpu,
        "imported": args.events,
        "peak_rss_mb": peak_rss_mb(),
    }


def child_bare(args: argparse.Namespace) -> dict[str, Any]:
    with sqlite3.connect(args.db) as source:
        rows = source.execute(f"SELECT {COLUMNS} FROM activities ORDER BY id").fetchall()
    source.close()
    settings = hearth_settings(args.db)
    results: dict[str, Any] = {"rows": len(rows), "settings": settings}
    indexes_sql = hearth_indexes()
    results["indexes"] = list(indexes_sql)
    for name, indexes, after in (
        ("seconds", (), ()),
        ("indexed_seconds", indexes_sql, ()),
        ("indexed_after_seconds", (), indexes_sql),
    ):
        path = Path(args.db).with_name(f"bare-{name}.db")
        cpu = time.process_time()
        results[name] = bare_insert(path, rows, indexes, args.batch_size, settings, after)
        results[f"cpu_{name}"] = time.process_time() - cpu
    return results


def hearth_settings(db: str) -> dict[str, Any]:
    """The SQLite settings of a connection from Hearth's own engine, to give the bare table."""
    from hearth.store.db import create_engine

    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        settings = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in PRAGMAS}
    engine.dispose()
    return settings


def bare_insert(
    path: Path,
    rows: list[tuple[Any, ...]],
    indexes: Iterable[str],
    batch_size: int,
    settings: dict[str, Any],
    after: Iterable[str] = (),
) -> float:
    """Seconds to insert ``rows`` with ``executemany``, one transaction per batch (and then to
    run the ``after`` statements)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for name in PRAGMAS:
        conn.execute(f"PRAGMA {name}={settings[name]}")
    conn.execute(BARE_TABLE)
    for statement in indexes:
        conn.execute(statement)
    insert = (
        f"INSERT INTO bare ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (platform, source_id) DO NOTHING"
    )
    began = time.perf_counter()
    for start in range(0, len(rows), batch_size):
        conn.execute("BEGIN")
        conn.executemany(insert, rows[start : start + batch_size])
        conn.execute("COMMIT")
    for statement in after:
        conn.execute(statement)
    seconds = time.perf_counter() - began
    stored = conn.execute("SELECT count(*) FROM bare").fetchone()[0]
    conn.close()
    if stored != len(rows):
        raise SystemExit(f"the bare table holds {stored} rows, expected {len(rows)}")
    return seconds


CHILDREN = {
    "generate": child_generate,
    "parallel": child_parallel,
    "hearth": child_hearth,
    "streamed": child_streamed,
    "bare": child_bare,
}


# -- the parent ------------------------------------------------------------------------------


def run_child(kind: str, args: argparse.Namespace, db: Path) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "bench.ingest", "--child", kind, "--db", str(db),
        "--events", str(args.events), "--members", str(args.members), "--seed", str(args.seed),
        "--batch-size", str(args.batch_size),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {kind} run failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def machine() -> dict[str, Any]:
    cpu = "unknown"
    memory_kib = 0
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    if cpuinfo.is_file():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": importlib.metadata.version("sqlalchemy"),
        "platform": platform.platform(),
    }


def summarise(args: argparse.Namespace, runs: list[dict[str, Any]]) -> dict[str, Any]:
    n = args.events

    def median(key: str, part: str) -> float:
        return statistics.median(run[part][key] for run in runs)

    hearth_rate = n / median("seconds", "parallel")
    bare_rate = n / median("seconds", "bare")
    # the streamed two-process import: the writer and the reader, each at its peak
    peak = max(
        max(run["streamed"]["peak_rss_mb"], run["streamed"]["reader_peak_rss_mb"]) for run in runs
    )
    return {
        "generate_rate": n / median("seconds", "generate"),
        "hearth_rate": hearth_rate,
        "one_process_rate": n / median("ingest_seconds", "hearth"),
        "streamed_rate": n / median("seconds", "streamed"),
        "one_process_end_to_end_rate": n / median("seconds", "hearth"),
        "bare_rate": bare_rate,
        "bare_indexed_rate": n / median("indexed_seconds", "bare"),
        "bare_indexed_after_rate": n / median("indexed_after_seconds", "bare"),
        "ratio": hearth_rate / bare_rate,
        "one_process_ratio": n / median("ingest_seconds", "hearth") / bare_rate,
        "ratio_indexed": hearth_rate / (n / median("indexed_seconds", "bare")),
        "hearth_peak_rss_mb": peak,
        "streamed_writer_peak_rss_mb": max(run["streamed"]["peak_rss_mb"] for run in runs),
        "streamed_reader_peak_rss_mb": max(run["streamed"]["reader_peak_rss_mb"] for run in runs),
        "one_process_peak_rss_mb": max(run["hearth"]["peak_rss_mb"] for run in runs),
        "generate_peak_rss_mb": max(run["generate"]["peak_rss_mb"] for run in runs),
        "targets": {
            "rate": hearth_rate >= TARGET_RATE,
            "ratio": hearth_rate / bare_rate >= TARGET_RATIO,
            "memory": peak < TARGET_RSS_MB,
        },
    }


def markdown(args: argparse.Namespace, runs: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    n = args.events

    def rates(part: str, key: str) -> str:
        return ", ".join(f"{n / run[part][key]:,.0f}" for run in runs)

    def ok(flag: bool) -> str:
        return "met" if flag else "**missed**"

    def row(label: str, figure: str, runs_text: str = "") -> str:
        return f"| {label} | {figure} | {runs_text} |"

    targets = summary["targets"]
    lines = [
        f"Ingest of {n:,} generated activities ({args.members:,} members, seed {args.seed}, "
        f"batches of {args.batch_size:,}); medians of {len(runs)} runs.",
        "",
        "| Measure | Median | Runs |",
        "|---|---:|---|",
        row("Generation only", f"{summary['generate_rate']:,.0f} /s", rates("generate", "seconds")),
        row(
            "**Hearth ingest**, two processes, from a ready list of activities",
            f"**{summary['hearth_rate']:,.0f} /s**",
            rates("parallel", "seconds"),
        ),
        row(
            "Hearth ingest, one process (generation time taken out)",
            f"{summary['one_process_rate']:,.0f} /s",
            rates("hearth", "ingest_seconds"),
        ),
        row(
            "Hearth ingest, two processes, streamed from the generator (end to end)",
            f"{summary['streamed_rate']:,.0f} /s",
            rates("streamed", "seconds"),
        ),
        row(
            "Hearth ingest, one process, streamed from the generator (end to end)",
            f"{summary['one_process_end_to_end_rate']:,.0f} /s",
            rates("hearth", "seconds"),
        ),
        row(
            "**Bare sqlite3 executemany** (unique constraint only)",
            f"**{summary['bare_rate']:,.0f} /s**",
            rates("bare", "seconds"),
        ),
        row(
            "Bare sqlite3 executemany + Hearth's 3 secondary indexes",
            f"{summary['bare_indexed_rate']:,.0f} /s",
            rates("bare", "indexed_seconds"),
        ),
        row(
            "Bare sqlite3 executemany, Hearth's indexes built after the load",
            f"{summary['bare_indexed_after_rate']:,.0f} /s",
            rates("bare", "indexed_after_seconds"),
        ),
        row("**Hearth / bare**", f"**{summary['ratio']:.0%}**"),
        row("Hearth in one process / bare", f"{summary['one_process_ratio']:.0%}"),
        row("Hearth / bare with the same indexes", f"{summary['ratio_indexed']:.0%}"),
        row(
            "Peak RSS, streamed two-process ingest (writer; reader)",
            f"{summary['streamed_writer_peak_rss_mb']:,.0f}; "
            f"{summary['streamed_reader_peak_rss_mb']:,.0f} MiB",
        ),
        row("Peak RSS, one-process ingest", f"{summary['one_process_peak_rss_mb']:,.0f} MiB"),
        row("Peak RSS, generation only", f"{summary['generate_peak_rss_mb']:,.0f} MiB"),
        "",
        f"Targets: Hearth ≥ {TARGET_RATE:,}/s {ok(targets['rate'])}; "
        f"≥ {TARGET_RATIO:.0%} of bare {ok(targets['ratio'])}; "
        f"peak memory < {TARGET_RSS_MB:,} MiB {ok(targets['memory'])}.",
        "",
        f"Load average (1 min) before and after: {summary['load_average']['before']:.2f}, "
        f"{summary['load_average']['after']:.2f}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    from hearth.actions.ingest import BATCH_SIZE

    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=None, help="default: events / 20")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.members is None:
        args.members = max(args.events // 20, 10)
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return
    runs = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as folder:
        for number in range(1, args.repeats + 1):
            run = {
                kind: run_child(kind, args, Path(folder) / f"{kind}-{number}.db")
                for kind in ("generate", "parallel", "hearth", "streamed")
            }
            # the bare insert reads back the rows the one-process ingest stored
            run["bare"] = run_child("bare", args, Path(folder) / f"hearth-{number}.db")
            runs.append(run)
            print(
                f"run {number}: generate {args.events / run['generate']['seconds']:,.0f}/s, "
                f"hearth {args.events / run['parallel']['seconds']:,.0f}/s "
                f"(one process {args.events / run['hearth']['ingest_seconds']:,.0f}/s; "
                f"streamed {args.events / run['streamed']['seconds']:,.0f}/s end to end), "
                f"bare {args.events / run['bare']['seconds']:,.0f}/s "
                f"({run['bare']['cpu_seconds']:.1f} s CPU)",
                file=sys.stderr,
            )
            for path in Path(folder).iterdir():
                path.unlink()
    summary = summarise(args, runs)
    summary["load_average"] = {"before": load_before[0], "after": os.getloadavg()[0]}
    table = markdown(args, runs, summary)
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.ingest", *sys.argv[1:]]),
        "arguments": {k: v for k, v in vars(args).items() if k not in ("child", "db")},
        "machine": machine(),
        "summary": summary,
        "runs": runs,
    }
    (OUT / "ingest.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    (OUT / "ingest.md").write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
