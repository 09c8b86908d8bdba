"""The git connector: mapping, mailmap, co-authors, errors, and pip's real authors.

Repositories are built with ``git fast-import`` in a temporary folder: a handful of commits for
the mapping tests, and for the pip test every commit of pip's history (its authors, dates and
parents as recorded in ``../shared/data/git/pip-authors/commits.csv``) with pip's ``.mailmap``.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from hearth.actions.context import Caller
from hearth.actions.export import access_member_export
from hearth.actions.ingest import ingest
from hearth.cli import app
from hearth.connectors.git.history import parse_history
from hearth.connectors.git.log import parse_shortstat
from hearth.connectors.git.mailmap import parse_contact
from hearth.connectors.git.people import github_account, is_bot
from hearth.connectors.git.repo import last_part, open_repository
from hearth.domain.activity import ActivityIn
from hearth.errors import HearthError, InputError, RecordError
from hearth.store.tables import members

runner = CliRunner()
COMMITTER = "Build Robot <build@example.invalid>"
MAILMAP = """\
Alice Liddell <alice@example.org> <alice@old.example>
Alice Liddell <alice@example.org> Ally <ally@example.net>
<carol@example.org> <carol@home.example>
"""

# -- building repositories -------------------------------------------------------------------


@dataclass
class Spec:
    """One commit to write with ``git fast-import``."""

    author: str
    date: str
    message: str = "A change\n"
    parents: tuple[int, ...] = ()
    files: dict[str, str] = field(default_factory=dict)
    committer: str = COMMITTER
    committed: str | None = None


def git(repo: Path, *args: str, input_bytes: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], input=input_bytes, capture_output=True, check=True
    )
    return proc.stdout.decode()


def raw_date(iso: str) -> str:
    """``1700000000 +0530`` from an ISO 8601 date with an offset."""
    when = datetime.fromisoformat(iso)
    offset = when.strftime("%z") or "+0000"
    return f"{int(when.timestamp())} {offset}"


def fast_import_stream(commits: Iterable[Spec], mailmap: str | None) -> Iterator[bytes]:
    """The fast-import commands for ``commits`` (marks 1, 2...); parents refer to those marks."""

    def data(text: str) -> bytes:
        raw = text.encode("utf-8")
        return b"data %d\n" % len(raw) + raw + b"\n"

    for mark, spec in enumerate(commits, start=1):
        lines = [b"commit refs/heads/main\n", b"mark :%d\n" % mark]
        lines.append(f"author {spec.author} {raw_date(spec.date)}\n".encode())
        committed = raw_date(spec.committed or spec.date)
        lines.append(f"committer {spec.committer} {committed}\n".encode())
        lines.append(data(spec.message))
        if spec.parents:
            lines.append(b"from :%d\n" % spec.parents[0])
            lines.extend(b"merge :%d\n" % parent for parent in spec.parents[1:])
        else:
            lines.insert(0, b"reset refs/heads/main\n")
            lines.append(b"deleteall\n")
            if mailmap is not None:
                lines.append(b"M 100644 inline .mailmap\n" + data(mailmap))
        for name, content in spec.files.items():
            lines.append(f"M 100644 inline {name}\n".encode() + data(content))
        lines.append(b"\n")
        yield b"".join(lines)


def build_repo(
    path: Path, commits: list[Spec], *, mailmap: str | None = MAILMAP, tip: int | None = None
) -> Path:
    """A repository at ``path`` holding ``commits``, its branch ``main`` at ``tip`` (the last)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    stream = b"".join(fast_import_stream(commits, mailmap))
    stream += b"reset refs/heads/main\nfrom :%d\n\n" % (tip or len(commits))
    git(path, "fast-import", "--quiet", input_bytes=stream)
    git(path, "reset", "--quiet", "--hard")
    return path


def small_history() -> list[Spec]:
    """Six commits covering the mapping's cases (see the tests below)."""
    return [
        Spec("Alice <alice@old.example>", "2024-03-10T23:30:00-05:00", files={"a.txt": "1\n"}),
        Spec(
            "Bob <12345+bobby@users.noreply.github.com>",
            "2024-03-11T09:00:00+05:30",
            "Pair work\n\nCo-authored-by: Ally <ally@example.net>\n"
            "co-authored-by: Carol <CAROL@home.example>\n"
            "Co-authored-by: Bob Again <12345+bobby@users.noreply.github.com>\n"
            "Co-authored-by: Carol C. <carol@example.org>\n",
            parents=(1,),
            files={"b.txt": "1\n2\n3\n", "a.txt": "changed\n"},
        ),
        Spec(
            "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
            "2024-03-12T00:00:00+00:00",
            parents=(1,),
            files={"c.txt": "x\n"},
        ),
        Spec(
            "Alice Liddell <alice@example.org>",
            "2024-03-13T12:00:00+02:00",
            "Merge branch 'deps'\n",
            parents=(2, 3),
            committed="2024-03-14T08:00:00+00:00",
        ),
        Spec("Ben Darnell <>", "2024-03-15T10:00:00+00:00", parents=(4,)),
        Spec(
            "Dave <dave@example.org>",
            "2024-03-16T10:00:00+00:00",
            "Fix\n\nCo-authored-by: Erin\n",
            parents=(5,),
        ),
    ]


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    return build_repo(tmp_path / "small", small_history())


def by_source(records: Iterable[ActivityIn | RecordError]) -> dict[str, ActivityIn]:
    return {r.source_id: r for r in records if isinstance(r, ActivityIn)}


def shas(repo: Path) -> list[str]:
    """Commit ids, oldest first (marks order for a linear build)."""
    return git(repo, "log", "--reverse", "--topo-order", "--format=%H").split()


# -- mapping (no database) -------------------------------------------------------------------


def test_one_activity_per_author_and_distinct_co_author(small_repo: Path) -> None:
    records = list(parse_history(open_repository(small_repo)))
    activities = by_source(records)
    first, second, bot, merge, nameless, trailer = shas(small_repo)
    assert sorted(activities) == sorted(
        [
            f"small:{first}",
            f"small:{second}",
            f"small:{second}:co:alice@example.org",
            f"small:{second}:co:carol@example.org",
            f"small:{bot}",
            f"small:{merge}",
            f"small:{nameless}",
            f"small:{trailer}",
        ]
    )
    assert {a.kind for a in activities.values()} == {"commit.authored"}
    assert {a.platform for a in activities.values()} == {"git"}

    author = activities[f"small:{first}"]
    assert author.actor is not None
    assert author.actor.external_id == "alice@example.org"  # mailmapped
    assert author.actor.display_name == "Alice Liddell"
    assert (author.target_type, author.target_id) == ("commit", first)
    assert author.properties == {
        "repository": "small",
        "sha": first,
        "co_author": False,
        "merge": False,
        "committed_at": "2024-03-11T04:30:00+00:00",
    }

    ally = activities[f"small:{second}:co:alice@example.org"]
    assert ally.actor is not None and ally.actor.display_name == "Alice Liddell"
    assert ally.properties["co_author"] is True
    assert ally.occurred_at == activities[f"small:{second}"].occurred_at
    carol = activities[f"small:{second}:co:carol@example.org"]
    assert carol.actor is not None and carol.actor.email == "carol@example.org"
    # "Bob Again" is the author himself: not credited twice.
    assert not any(":co:12345+bobby" in source for source in activities)


def test_author_dates_are_converted_to_utc(small_repo: Path) -> None:
    activities = by_source(parse_history(open_repository(small_repo)))
    first, second, _bot, merge, *_rest = shas(small_repo)
    assert activities[f"small:{first}"].occurred_at == datetime(2024, 3, 11, 4, 30, tzinfo=UTC)
    assert activities[f"small:{second}"].occurred_at == datetime(2024, 3, 11, 3, 30, tzinfo=UTC)
    merged = activities[f"small:{merge}"]
    assert merged.occurred_at == datetime(2024, 3, 13, 10, 0, tzinfo=UTC)
    assert merged.properties["committed_at"] == "2024-03-14T08:00:00+00:00"
    assert merged.properties["merge"] is True
    assert all(a.occurred_at.utcoffset() is not None for a in activities.values())


def test_bots_noreply_accounts_and_authors_without_email(small_repo: Path) -> None:
    activities = by_source(parse_history(open_repository(small_repo)))
    _first, second, bot, _merge, nameless, _trailer = shas(small_repo)
    bob = activities[f"small:{second}"]
    assert bob.actor is not None and not bob.actor.is_bot
    assert bob.properties["github_login"] == "bobby"
    assert bob.properties["github_user_id"] == 12345
    robot = activities[f"small:{bot}"]
    assert robot.actor is not None and robot.actor.is_bot
    assert robot.properties["github_login"] == "dependabot[bot]"
    ben = activities[f"small:{nameless}"]
    assert ben.actor is not None
    assert (ben.actor.external_id, ben.actor.email) == ("name:ben darnell", None)


def test_a_trailer_without_address_is_rejected_with_the_commit(small_repo: Path) -> None:
    records = list(parse_history(open_repository(small_repo)))
    trailer = shas(small_repo)[-1]
    errors = [r for r in records if isinstance(r, RecordError)]
    assert [str(e) for e in errors] == [
        f"commit {trailer}, field 'Co-authored-by': expected 'Name <e-mail>', not 'Erin'"
    ]
    assert f"small:{trailer}" in by_source(records)  # the author is still credited


def test_stats_are_recorded_on_request(small_repo: Path) -> None:
    plain = by_source(parse_history(open_repository(small_repo)))
    assert not any("insertions" in a.properties for a in plain.values())
    counted = by_source(parse_history(open_repository(small_repo), stats=True))
    first, second, _bot, merge, *_rest = shas(small_repo)
    # The root commit adds .mailmap (3 lines) and a.txt (1 line).
    assert counted[f"small:{first}"].properties["files_changed"] == 2
    assert counted[f"small:{first}"].properties["insertions"] == 4
    assert counted[f"small:{second}"].properties["files_changed"] == 2
    assert counted[f"small:{second}"].properties["insertions"] == 4
    assert counted[f"small:{second}"].properties["deletions"] == 1
    assert counted[f"small:{second}:co:carol@example.org"].properties["insertions"] == 4
    assert "files_changed" not in counted[f"small:{merge}"].properties


def test_unparsable_commit_is_a_record_error_naming_it(tmp_path: Path) -> None:
    repo = build_repo(tmp_path / "odd", [Spec("Ann <ann@example.org>", "2024-01-01T00:00:00Z")])
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    head = git(repo, "rev-parse", "HEAD").strip()
    body = (
        f"tree {tree}\nparent {head}\nauthor Ann <ann@example.org> 1700000000 +5900\n"
        f"committer Ann <ann@example.org> 1700000000 +0000\n\nFrom the future\n"
    )
    bad = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input_bytes=body.encode())
    git(repo, "update-ref", "refs/heads/main", bad.strip())
    records = list(parse_history(open_repository(repo)))
    assert isinstance(records[0], RecordError)
    assert str(records[0]).startswith(f"commit {bad.strip()}, field 'author date'")
    assert isinstance(records[1], ActivityIn) and records[1].source_id == f"odd:{head}"


def test_helpers() -> None:
    assert parse_contact("  Jane Doe  <jane@example.org> ") == ("Jane Doe", "jane@example.org")
    assert parse_contact("<jane@example.org>") == ("", "jane@example.org")
    assert parse_contact("Jane Doe") is None
    assert parse_contact("Jane <>") is None
    assert github_account("Me@Example.org", "7+me@users.noreply.github.com") == {
        "github_login": "me",
        "github_user_id": 7,
    }
    assert github_account("me@users.noreply.github.com") == {"github_login": "me"}
    assert is_bot("pre-commit-ci[bot]", "66853113+pre-commit-ci[bot]@users.noreply.github.com")
    assert not is_bot("Neil Botelho", "neil.botelho321@gmail.com")
    assert last_part("git@github.com:pypa/pip.git") == "pip"
    assert last_part("https://github.com/pypa/pip/") == "pip"
    assert parse_shortstat(" 1 file changed, 2 deletions(-)\n").deletions == 2


def test_repository_names_and_revisions(small_repo: Path, tmp_path: Path) -> None:
    assert open_repository(small_repo).name == "small"
    git(small_repo, "remote", "add", "origin", "git@github.com:pypa/pip.git")
    assert open_repository(small_repo).name == "pip"
    assert open_repository(small_repo, "pypa/pip").name == "pypa/pip"
    with pytest.raises(InputError, match="without spaces or colons"):
        open_repository(small_repo, "my repo")
    repo = open_repository(small_repo)
    assert repo.count_commits(["HEAD"]) == 6
    assert repo.count_commits(["HEAD~2..HEAD"]) == 2
    with pytest.raises(InputError, match="is not a revision"):
        list(parse_history(repo, ["--output=/tmp/x"]))
    with pytest.raises(HearthError, match="git"):
        list(parse_history(repo, ["no-such-branch"]))
    empty = tmp_path / "empty"
    subprocess.run(["git", "init", "-q", str(empty)], check=True)
    assert open_repository(empty).count_commits(["HEAD"]) == 0
    assert list(parse_history(open_repository(empty))) == []


def test_a_bare_repository_uses_the_mailmap_it_holds(small_repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(small_repo), str(bare)], check=True)
    repo = open_repository(bare)
    assert (repo.bare, repo.name) == (True, "small")  # the origin remote's last part
    actors = {a.actor.external_id for a in by_source(parse_history(repo)).values() if a.actor}
    assert "alice@example.org" in actors
    assert "alice@old.example" not in actors


# -- the ledger (SQLite and PostgreSQL) ------------------------------------------------------


def test_import_resolves_members_and_is_idempotent(engine: Engine, small_repo: Path) -> None:
    repo = open_repository(small_repo)
    first = ingest(engine, parse_history(repo))
    assert (first.imported, first.duplicates, first.rejected) == (8, 0, 1)
    again = ingest(engine, parse_history(repo))
    assert (again.imported, again.duplicates, again.rejected) == (0, 8, 1)

    exported = list(access_member_export(engine, Caller.operator()))
    by_id = {i["external_id"]: row for row in exported for i in row["identities"]}
    assert set(by_id) == {
        "alice@example.org",
        "12345+bobby@users.noreply.github.com",
        "carol@example.org",
        "49699333+dependabot[bot]@users.noreply.github.com",
        "name:ben darnell",
        "dave@example.org",
    }
    alice = by_id["alice@example.org"]
    assert alice["activity_counts"] == {"commit.authored": 3}  # author twice, co-author once
    assert alice["identities"][0]["names"][0] == "Alice Liddell"
    assert by_id["carol@example.org"]["activity_counts"] == {"commit.authored": 1}
    assert by_id["49699333+dependabot[bot]@users.noreply.github.com"]["is_bot"] is True
    with engine.connect() as conn:
        rows = conn.execute(select(members.c.display_name, members.c.is_bot))
        flags = {name: bot for name, bot in rows}
    assert flags == {
        "Alice Liddell": False,
        "Bob": False,
        "Carol": False,
        "dependabot[bot]": True,
        "Ben Darnell": False,
        "Dave": False,
    }


def test_identities_also_keep_the_names_before_the_mailmap(
    engine: Engine, small_repo: Path
) -> None:
    ingest(engine, parse_history(open_repository(small_repo)))
    exported = list(access_member_export(engine, Caller.operator()))
    names = {i["external_id"]: i["names"] for row in exported for i in row["identities"]}
    assert set(names["alice@example.org"]) == {"Alice Liddell", "Alice", "Ally"}


def test_cli_imports_a_repository(db_url: str, tmp_path: Path) -> None:
    history = small_history()[:4]
    repo = build_repo(tmp_path / "clean", history)
    args = ["--db", db_url, "import", "git", str(repo), "--repo-name", "demo", "--stats"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Imported 6, duplicates 0, rejected 0." in result.output
    again = runner.invoke(app, args)
    assert "Imported 0, duplicates 6, rejected 0." in again.output

    exported = runner.invoke(app, ["--db", db_url, "export", "members"])
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    counts = {r["display_name"]: r["activity_counts"]["commit.authored"] for r in rows}
    assert counts == {"Alice Liddell": 3, "Bob": 1, "Carol": 1, "dependabot[bot]": 1}


def test_cli_reports_a_rejected_trailer(db_url: str, small_repo: Path) -> None:
    result = runner.invoke(app, ["--db", db_url, "import", "git", str(small_repo)])
    assert result.exit_code == 1
    assert "Imported 8, duplicates 0, rejected 1." in result.output
    assert "field 'Co-authored-by'" in result.output


def test_cli_refuses_a_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    db = f"sqlite:///{tmp_path}/unused.db"
    result = runner.invoke(app, ["--db", db, "import", "git", str(plain)])
    assert isinstance(result.exception, InputError)
    assert f"{plain} is not a git repository" in str(result.exception)
    missing = runner.invoke(app, ["--db", db, "import", "git", str(tmp_path / "nope")])
    assert isinstance(missing.exception, InputError)
    assert "No such folder" in str(missing.exception)


# -- pip's real authors ----------------------------------------------------------------------

_BIDI_OVERRIDES = re.compile("[\u202a-\u202e\u2066-\u2069]")


def author_key(name: str) -> str:
    """How pip's AUTHORS.txt tells names apart: NFC, bidi overrides removed, case ignored."""
    return unicodedata.normalize("NFC", _BIDI_OVERRIDES.sub("", name)).strip().lower()


def pip_history(folder: Path) -> tuple[list[Spec], int, list[dict[str, str]]]:
    """pip's commits as specs in an order where parents come first, and the tip's mark."""
    with (folder / "commits.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    by_sha = {row["sha"]: row for row in rows}
    marks: dict[str, int] = {}
    specs: list[Spec] = []
    for start in reversed(rows):  # oldest first; parents are placed before their children
        stack = [start["sha"]]
        while stack:
            sha = stack[-1]
            if sha in marks:
                stack.pop()
                continue
            waiting = [p for p in by_sha[sha]["parents"].split() if p not in marks]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            row = by_sha[sha]
            specs.append(
                Spec(
                    f"{row['author_name_raw']} <{row['author_email_raw']}>",
                    row["author_date"],
                    f"pip {sha}\n",
                    parents=tuple(marks[p] for p in row["parents"].split()),
                    committer=f"{row['committer_name_mailmap']} <committer@example.invalid>",
                    committed=row["committer_date"],
                )
            )
            marks[sha] = len(specs)
    return specs, marks[rows[0]["sha"]], rows


@pytest.fixture(scope="module")
def pip_repo(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> tuple[Path, list[dict[str, str]]]:
    folder = shared_data / "git" / "pip-authors"
    specs, tip, rows = pip_history(folder)
    mailmap = (folder / "mailmap.txt").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("pip") / "pip"
    return build_repo(path, specs, mailmap=mailmap, tip=tip), rows


def test_the_built_pip_history_matches_the_recorded_one(
    pip_repo: tuple[Path, list[dict[str, str]]],
) -> None:
    repo, rows = pip_repo
    shown = git(repo, "log", "--format=%aN%x00%aE%x00%P").splitlines()
    assert len(shown) == len(rows) == 16_181
    assert Counter(line.split("\0")[1] for line in shown) == Counter(
        row["author_email_mailmap"] for row in rows
    )
    assert sum(len(line.split("\0")[2].split()) > 1 for line in shown) == 4160


def test_pip_authors_are_all_known_and_no_email_is_split(
    engine: Engine, shared_data: Path, pip_repo: tuple[Path, list[dict[str, str]]]
) -> None:
    repo, rows = pip_repo
    report = ingest(engine, parse_history(open_repository(repo)))
    exported = list(access_member_export(engine, Caller.operator()))
    assert (report.imported, report.duplicates, report.rejected) == (16_181, 0, 0)

    known: dict[str, str] = {}
    all_names: set[str] = set()
    member_of: dict[str, set[int]] = {}
    for row in exported:
        for identity in row["identities"]:
            member_of.setdefault(identity["external_id"], set()).add(row["member_id"])
            for name in identity["names"]:
                known.setdefault(author_key(name), name)
                all_names.add(name)
    authors = (shared_data / "git" / "pip-authors" / "AUTHORS.txt").read_text("utf-8")
    wanted = [line for line in authors.splitlines() if line.strip()]
    missing = [name for name in wanted if author_key(name) not in known]
    exact = [name for name in wanted if name in all_names]
    print(
        f"\npip AUTHORS.txt: {len(wanted) - len(missing)} of {len(wanted)} names known, "
        f"{len(exact)} of them spelt exactly as in the history"
    )
    for name in wanted:
        if name not in exact and name not in missing:
            print(f"  {name!a} known as {known[author_key(name)]!a}")
    for name in missing:
        print(f"  not known: {name!a}")
    assert missing == []

    # Every mailmapped e-mail is one identity, and so one member.
    emails = {row["author_email_mailmap"].lower() for row in rows if row["author_email_mailmap"]}
    assert all(len(member_of[email]) == 1 for email in emails)
    assert len(exported) == len(emails) + 1  # and Ben Darnell's two commits without e-mail
    commits_per_member = Counter(
        row["author_email_mailmap"].lower() or "name:ben darnell" for row in rows
    )
    counted = {
        identity["external_id"]: row["activity_counts"]["commit.authored"]
        for row in exported
        for identity in row["identities"]
    }
    assert counted == dict(commits_per_member)


def test_the_log_is_streamed_and_git_stopped_when_the_reader_stops(
    pip_repo: tuple[Path, list[dict[str, str]]],
) -> None:
    records = iter(parse_history(open_repository(pip_repo[0])))
    first = next(records)
    assert isinstance(first, ActivityIn)
    records.close()  # git is killed and its pipe closed: no ResourceWarning


# -- a log that fails part way, read by a second process -------------------------------------


@pytest.fixture
def broken_repo(tmp_path: Path) -> Path:
    """600 commits, each changing f.txt; the blob the 21st oldest wrote is lost, which only a
    log with statistics reads: ``git rev-list`` counts the commits, ``git log --shortstat``
    prints the newer ones (more than the history's window of 500), then fails."""
    commits = [
        Spec(
            f"Dev {n % 7} <dev{n % 7}@example.org>",
            f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}+00:00",
            parents=(n,) if n else (),
            files={"f.txt": f"{n}\n"},
        )
        for n in range(600)
    ]
    path = build_repo(tmp_path / "broken", commits, mailmap=None)
    blob = git(path, "rev-parse", f"{shas(path)[20]}:f.txt").strip()
    # fast-import wrote a pack: unpack it into loose objects, then lose the one blob
    packs = path / ".git" / "objects" / "pack"
    pack = next(packs.glob("*.pack"))
    data = pack.read_bytes()
    for leftover in packs.iterdir():
        leftover.unlink()
    git(path, "unpack-objects", "-q", input_bytes=data)
    (path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    return path


def test_a_log_failing_after_the_reader_forked_is_reported_by_the_parent(
    sqlite_template: Path, tmp_path: Path, broken_repo: Path
) -> None:
    from hearth.store.db import create_engine

    db = tmp_path / "hearth.db"
    db.write_bytes(sqlite_template.read_bytes())
    engine = create_engine(f"sqlite:///{db}")
    history = parse_history(open_repository(broken_repo), stats=True)
    # the second process reads what the first 500-commit window leaves, up to git's failure
    report = ingest(engine, history, batch_size=50, parallel_after=5)
    assert 550 < report.imported < 600
    with pytest.raises(HearthError, match=r"git log failed in .*broken"):
        history.check_exit()
    history.check_exit()  # reported once
    # in one process, the failure stops the import itself, after what was read
    with pytest.raises(HearthError, match="git log failed"):
        ingest(engine, parse_history(open_repository(broken_repo), stats=True))
    engine.dispose()


def test_import_git_reports_a_log_failing_in_the_reader(
    sqlite_template: Path,
    tmp_path: Path,
    broken_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hearth.actions import ingest as ingest_module
    from hearth.cli import main

    db = tmp_path / "hearth.db"
    db.write_bytes(sqlite_template.read_bytes())
    # batches of 50 after a first window of 500 commits: the reader process reads the rest
    monkeypatch.setattr(ingest_module, "PARALLEL_AFTER", 5)
    monkeypatch.setenv("HEARTH_INGEST_BATCH_SIZE", "50")
    url = f"sqlite:///{db}"
    monkeypatch.setattr(
        "sys.argv", ["hearth", "--db", url, "import", "git", "--stats", str(broken_repo)]
    )
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    printed = capsys.readouterr()
    assert "git log failed" in printed.err and "unable to read" in printed.err
    assert "Traceback" not in printed.err + printed.out
