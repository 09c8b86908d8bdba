"""Git import benchmark: ``hearth import git`` on a generated repository, against ``git log``.

Run ``python -m bench.git_import [--commits N]`` from the repository root. It builds, with
``git fast-import`` in a temporary folder, a repository of ``--commits`` commits (20,000 by
default; every commit changes one small file, about one in twenty is a merge, one in ten carries
one or two ``Co-authored-by:`` trailers) by ``--authors`` people, a fifth of whom also commit
under an old address that the repository's ``.mailmap`` maps to their current one. Then, for
each of ``--repeats`` rounds, it times:

1. ``git log``: the same ``git log`` command the importer runs, its output read and thrown away
   (what git alone costs);
2. ``hearth import git``: the real command, as a child process, into a fresh, migrated SQLite
   file (``hearth init`` is not timed; the child's start-up is);
3. the same with ``--stats`` (files changed, insertions, deletions: git diffs every commit).

The medians are printed as a Markdown table (``--output FILE`` also writes it to a file).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2015, 1, 1, tzinfo=UTC)
OFFSETS = ("+0000", "-0500", "-0400", "+0100", "+0200", "+0530", "+0800", "+0900", "-0700")
HEARTH = [sys.executable, "-c", "from hearth.cli import main; main()"]


def people(count: int, rng: random.Random) -> list[tuple[str, str, str | None]]:
    """``(name, email, old email or None)`` for ``count`` authors."""
    result = []
    for n in range(count):
        name = f"Author {n:05d}"
        old = f"author{n}@old-laptop.example" if rng.random() < 0.2 else None
        result.append((name, f"author{n}@example.org", old))
    return result


def mailmap_for(authors: list[tuple[str, str, str | None]]) -> str:
    return "".join(f"{name} <{email}> <{old}>\n" for name, email, old in authors if old)


def fast_import(
    commits: int, authors: list[tuple[str, str, str | None]], seed: int
) -> Iterator[bytes]:
    """The fast-import stream of the generated history."""
    rng = random.Random(seed)

    def data(text: str) -> bytes:
        raw = text.encode()
        return b"data %d\n" % len(raw) + raw + b"\n"

    def contact(person: tuple[str, str, str | None]) -> str:
        name, email, old = person
        return f"{name} <{old if old and rng.random() < 0.5 else email}>"

    when = START
    weights = [1 / (rank + 1) for rank in range(len(authors))]  # a few people commit most
    yield b"blob\nmark :1\n" + data(mailmap_for(authors))
    for n in range(commits):
        mark = n + 2
        when += timedelta(seconds=rng.randint(60, 20_000))
        author = rng.choices(authors, weights)[0]
        offset = rng.choice(OFFSETS)
        message = f"Change {n}\n"
        if rng.random() < 0.1:
            others = rng.sample(authors, rng.randint(1, 2))
            message += "\n" + "".join(f"Co-authored-by: {contact(p)}\n" for p in others)
        lines = [
            b"commit refs/heads/main\n",
            b"mark :%d\n" % mark,
            f"author {contact(author)} {int(when.timestamp())} {offset}\n".encode(),
            f"committer {author[0]} <{author[1]}> {int(when.timestamp())} {offset}\n".encode(),
            data(message),
        ]
        if n == 0:
            lines.append(b"M 100644 :1 .mailmap\n")
        else:
            lines.append(b"from :%d\n" % (mark - 1))
            if n % 20 == 0 and n > 2:
                lines.append(b"merge :%d\n" % (mark - 2))
        body = "".join(f"line {k} of change {n}\n" for k in range(rng.randint(1, 6)))
        lines.append(f"M 100644 inline src/file{n % 300}.txt\n".encode() + data(body))
        lines.append(b"\n")
        yield b"".join(lines)


def build(folder: Path, commits: int, authors: int, seed: int) -> Path:
    repo = folder / "generated"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream = b"".join(fast_import(commits, people(authors, random.Random(seed)), seed))
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=stream, check=True)
    subprocess.run(["git", "-C", str(repo), "reset", "--quiet", "--hard"], check=True)
    return repo


def time_git_log(repo: Path) -> float:
    from hearth.connectors.git.log import log_command
    from hearth.connectors.git.repo import git_env, open_repository

    command = log_command(open_repository(repo), ["HEAD"], stats=False)
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=git_env()) as proc:
        assert proc.stdout is not None
        while proc.stdout.read(1 << 16):
            pass
    return time.perf_counter() - started


def time_import(repo: Path, folder: Path, run: int, extra: list[str]) -> tuple[float, str]:
    db = f"sqlite:///{folder}/run{run}{'-'.join(extra)}.db"
    subprocess.run([*HEARTH, "--db", db, "init"], check=True, capture_output=True)
    started = time.perf_counter()
    proc = subprocess.run(
        [*HEARTH, "--db", db, "import", "git", str(repo), *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    summary = [line for line in proc.stdout.splitlines() if line.startswith("Imported")]
    return elapsed, summary[-1] if summary else ""


def markdown(args: argparse.Namespace, activities: str, results: dict[str, list[float]]) -> str:
    lines = [
        f"`hearth import git` of a generated repository: {args.commits:,} commits by "
        f"{args.authors:,} authors (seed {args.seed}), into a fresh SQLite file; medians of "
        f"{args.repeats} runs. {activities}",
        "",
        "| Measure | Median time | Commits/s | Runs (s) |",
        "|---|---:|---:|---|",
    ]
    for label, times in results.items():
        median = statistics.median(times)
        runs = ", ".join(f"{t:.2f}" for t in times)
        lines.append(f"| {label} | {median:.2f} s | {args.commits / median:,.0f} | {runs} |")
    lines += [
        "",
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}; "
        "the import times include the child process's start-up.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.git_import", description=__doc__)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--authors", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hearth-bench-git-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        repo = build(folder, args.commits, args.authors, args.seed)
        print(
            f"built {args.commits:,} commits in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        results: dict[str, list[float]] = {
            "`git log` alone (same command)": [],
            "**`hearth import git`**": [],
            "`hearth import git --stats`": [],
        }
        activities = ""
        for run in range(args.repeats):
            results["`git log` alone (same command)"].append(time_git_log(repo))
            elapsed, activities = time_import(repo, folder, run, [])
            results["**`hearth import git`**"].append(elapsed)
            results["`hearth import git --stats`"].append(
                time_import(repo, folder, run, ["--stats"])[0]
            )
            print(f"round {run + 1} of {args.repeats} done", file=sys.stderr)
    table = markdown(args, activities, results)
    print(table)
    if args.output is not None:
        args.output.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
