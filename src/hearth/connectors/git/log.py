"""``git log``, streamed into :class:`Commit` records.

:func:`read_log` runs one ``git log`` and reads its output a chunk at a time as it is written,
so memory does not grow with the history. Each commit is printed as NUL-separated fields, every
record starting with a NUL::

    \\0 %H \\0 %P \\0 %an \\0 %ae \\0 %aN \\0 %aE \\0 %aI \\0 %cI \\0 %(trailers...) \\n [stat]

No field can hold a NUL, so the stream splits into groups of nine tokens. The last one is the
``Co-authored-by:`` trailer values (as git parses the trailer block, keys matched without
regard to case, folded lines joined), separated by ``\\x1f``; after its newline comes the
``--shortstat`` line when statistics were asked for. ``%aN``/``%aE`` are the author after the
repository's ``.mailmap``, ``%an``/``%ae`` as written in the commit; both are kept.

Names and e-mails are decoded as UTF-8 (``--encoding=UTF-8`` makes git re-encode commits that
declare another encoding); bytes that are not UTF-8 (old commits that did not say what they
were) are read as Latin-1. A record that cannot be read (a bad id, a date git could not make
sense of) becomes a :class:`RecordError` naming the commit.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO

from hearth.connectors.git.repo import Repository, check_revisions, git_env
from hearth.errors import HearthError, RecordError
from hearth.i18n import _

CHUNK_BYTES = 1 << 16
TRAILER_SEPARATOR = "\x1f"
FIELDS = (
    "%H",
    "%P",
    "%an",
    "%ae",
    "%aN",
    "%aE",
    "%aI",
    "%cI",
    "%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x1f)",
)
FORMAT = "".join("%x00" + field for field in FIELDS)
_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
_SHORTSTAT = re.compile(
    r"(\d+) files? changed(?:, (\d+) insertions?\(\+\))?(?:, (\d+) deletions?\(-\))?"
)


@dataclass(frozen=True, slots=True)
class Person:
    """An author as git shows them: after ``.mailmap`` (``name``, ``email``) and as written."""

    name: str
    email: str
    raw_name: str
    raw_email: str


@dataclass(frozen=True, slots=True)
class Stats:
    """What a commit changed against its parent (``--shortstat``)."""

    files_changed: int
    insertions: int
    deletions: int


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit: its id, parents, author, dates (UTC) and co-author trailers as written."""

    sha: str
    parents: tuple[str, ...]
    author: Person
    authored_at: datetime
    committed_at: datetime
    co_authors: tuple[str, ...]
    stats: Stats | None = None

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def log_command(repo: Repository, revisions: Sequence[str], *, stats: bool) -> list[str]:
    """The ``git log`` command line :func:`read_log` runs."""
    options = ["--shortstat"] if stats else []
    return repo.command(
        "-c",
        "log.showSignature=false",
        "log",
        "--no-color",
        "--encoding=UTF-8",
        f"--format={FORMAT}",
        *options,
        *revisions,
        "--",
    )


def read_log(
    repo: Repository, revisions: Sequence[str] = ("HEAD",), *, stats: bool = False
) -> GitLog:
    """The commits ``git log revisions`` shows, newest first, streamed from git's output (see
    :class:`GitLog`)."""
    return GitLog(repo, revisions, stats=stats)


class GitLog:
    """One ``git log``, iterated once: its commits as :class:`Commit` records (or
    :class:`RecordError`), newest first, read as git writes them.

    Iterating raises :class:`HearthError` with git's message when git fails (an unknown
    revision, an object missing). Only the process that started git can read its exit status,
    so when a reader process forked from it read the rest of the output
    (``hearth.actions.ingest_pipeline``), the check is left to :meth:`check_exit`, which the
    starting process calls once the records are read; elsewhere it does nothing.
    """

    def __init__(
        self, repo: Repository, revisions: Sequence[str] = ("HEAD",), *, stats: bool = False
    ) -> None:
        check_revisions(revisions)
        self.repo = repo
        self.revisions = list(revisions)
        self.stats = stats
        self._proc: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None
        self._owner = 0
        self._failure: str | None = None
        self._checked = False
        self._stopped = False

    def __iter__(self) -> Iterator[Commit | RecordError]:
        if self.revisions == ["HEAD"] and not self.repo.has_commits():
            return
        # closed below, once git's status is read (check_exit may read it later)
        self._errors = errors = tempfile.TemporaryFile()  # noqa: SIM115
        self._owner = os.getpid()
        try:
            with subprocess.Popen(
                log_command(self.repo, self.revisions, stats=self.stats),
                stdout=subprocess.PIPE,
                stderr=errors,
                env=git_env(),
            ) as proc:
                assert proc.stdout is not None
                self._proc = proc
                try:
                    yield from _commits(_tokens(proc.stdout), stats=self.stats)
                except BaseException:
                    if self._started_here():
                        self._stop(proc)
                    raise
        finally:
            if self._started_here():
                self._settle()
                errors.close()
        self.check_exit()

    def check_exit(self) -> None:
        """Raise :class:`HearthError` if git failed (in the process that started it; once)."""
        if self._proc is None or not self._started_here():
            return
        self._settle()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise HearthError(failure)

    def _started_here(self) -> bool:
        return os.getpid() == self._owner

    def _stop(self, proc: subprocess.Popen[bytes]) -> None:
        """The reading stopped early (an error, the consumer gone), or, in a process a reader
        was forked from, the reader is done: nobody reads on, so git stops at its next write
        (a broken pipe); one that does not within a second is killed."""
        assert proc.stdout is not None
        proc.stdout.close()
        try:
            proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            proc.kill()
            self._stopped = True

    def _settle(self) -> None:
        """Wait for git (once) and keep what it said when it failed."""
        proc, errors = self._proc, self._errors
        if self._checked or proc is None or errors is None or errors.closed:
            return
        self._checked = True
        status = proc.wait()
        if status == 0 or self._stopped or status == -signal.SIGPIPE:
            return
        errors.seek(0)
        message = errors.read().decode("utf-8", "replace").strip()
        self._failure = _("git log failed in {path}: {message}").format(
            path=self.repo.path, message=message
        )


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """The NUL-separated tokens of ``stream``, read a chunk at a time."""
    rest = b""
    while chunk := stream.read(CHUNK_BYTES):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    yield rest


def _commits(tokens: Iterator[bytes], *, stats: bool) -> Iterator[Commit | RecordError]:
    first = next(tokens, b"")
    if first.strip():
        raise HearthError(_("git log printed something unexpected: {text}").format(text=first))
    group: list[bytes] = []
    for token in tokens:
        group.append(token)
        if len(group) == len(FIELDS):
            yield parse_record([decode(field) for field in group], stats=stats)
            group = []
    if group:
        sha = decode(group[0])
        yield RecordError(_("git log's output for this commit was cut short"), element=sha)


def decode(raw: bytes) -> str:
    """UTF-8, or Latin-1 for bytes that are not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_record(fields: list[str], *, stats: bool = False) -> Commit | RecordError:
    """One commit from its nine fields (see the module docstring), or what is wrong with it."""
    sha, parents, raw_name, raw_email, name, email, authored, committed, last = fields
    element = _("commit {sha}").format(sha=sha)
    if not _SHA.fullmatch(sha):
        return RecordError(_("not a commit id"), element=element, field="%H")
    trailers, _newline, tail = last.partition("\n")
    try:
        authored_at = parse_date(authored)
    except ValueError:
        return RecordError(
            _("the author date '{value}' is not a valid date").format(value=authored),
            element=element,
            field="author date",
        )
    try:
        committed_at = parse_date(committed)
    except ValueError:
        committed_at = authored_at
    return Commit(
        sha=sha,
        parents=tuple(parents.split()),
        author=Person(name.strip(), email.strip(), raw_name.strip(), raw_email.strip()),
        authored_at=authored_at,
        committed_at=committed_at,
        co_authors=tuple(v.strip() for v in trailers.split(TRAILER_SEPARATOR) if v.strip()),
        stats=parse_shortstat(tail) if stats else None,
    )


def parse_date(value: str) -> datetime:
    """A strict ISO 8601 date with its offset (``%aI``), converted to UTC."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        raise ValueError(value)
    return parsed.astimezone(UTC)


def parse_shortstat(text: str) -> Stats:
    """``3 files changed, 10 insertions(+), 2 deletions(-)``; all zero when there is none."""
    match = _SHORTSTAT.search(text)
    if match is None:
        return Stats(0, 0, 0)
    files, insertions, deletions = (int(group or 0) for group in match.groups())
    return Stats(files, insertions, deletions)
