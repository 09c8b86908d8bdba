"""Finding a local git repository, naming it, and running ``git`` in it.

:func:`open_repository` checks that a path is inside a git repository (a working tree or a bare
repository) and gives it a stable name, the ``repo_key`` every source id starts with: the name
asked for, else the last part of the ``origin`` remote's URL (``git@github.com:pypa/pip.git``
gives ``pip``), else the folder's name. Problems a user can fix (no such folder, not a
repository, an unknown revision, git missing) are :class:`~hearth.errors.InputError` or
:class:`~hearth.errors.HearthError` with git's own explanation.

``git`` runs with the variables that would point it at another repository removed
(``GIT_DIR``, ``GIT_WORK_TREE``... as set inside a git hook) and with ``LC_ALL=C``, so that its
messages and ``--shortstat`` lines are in English whatever the user's locale.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hearth.errors import HearthError, InputError
from hearth.i18n import _

MAX_NAME = 100
_REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)
_BAD_NAME_CHARACTERS = re.compile(r"[\s:]+")


@dataclass(frozen=True, slots=True)
class Repository:
    """A git repository on disk: where to run git, and the name its source ids carry."""

    path: Path
    name: str
    bare: bool = False

    def command(self, *args: str) -> list[str]:
        """The argument list that runs ``git args...`` in this repository."""
        return [git_executable(), "-C", str(self.path), *args]

    def run(self, *args: str) -> str:
        """Run ``git args...`` here and return its standard output; fail with git's message."""
        return run_git(self.command(*args))

    def has_commits(self) -> bool:
        """Whether ``HEAD`` names a commit (a freshly initialised repository has none)."""
        proc = _run(self.command("rev-parse", "--verify", "--quiet", "HEAD^{commit}"))
        return proc.returncode == 0

    def count_commits(self, revisions: Sequence[str]) -> int:
        """How many commits ``git log revisions`` will show (for the progress bar)."""
        check_revisions(revisions)
        if list(revisions) == ["HEAD"] and not self.has_commits():
            return 0
        return int(self.run("rev-list", "--count", *revisions, "--").strip() or 0)


def git_env() -> dict[str, str]:
    """The environment git runs in: the caller's, minus repository overrides, in the C locale."""
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    env["LC_ALL"] = "C"
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def git_executable() -> str:
    """The path of ``git``; a :class:`HearthError` when it is not installed."""
    found = shutil.which("git")
    if found is None:
        raise HearthError(_("git is not installed or not on the PATH; install git to import."))
    return found


def run_git(command: list[str], *, input_text: str | None = None) -> str:
    """Run a git command to completion; its output, or a :class:`HearthError` with its message."""
    proc = _run(command, input_text=input_text)
    if proc.returncode != 0:
        raise HearthError(
            _("git failed ({command}): {message}").format(
                command=" ".join(command[3:4]), message=_git_message(proc.stderr)
            )
        )
    return proc.stdout


def _run(command: list[str], *, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        input=input_text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=git_env(),
        check=False,
    )


def _git_message(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return " ".join(lines[-3:]) if lines else _("no message")


def open_repository(path: Path, name: str | None = None) -> Repository:
    """The repository at ``path`` (or the one ``path`` is inside), named ``name`` or by default.

    Raises :class:`InputError` when ``path`` is not a folder or not in a git repository, or when
    ``name`` is not a usable repository name.
    """
    if not path.is_dir():
        raise InputError(_("No such folder: {path}").format(path=path))
    git = git_executable()
    probe = _run([git, "-C", str(path), "rev-parse", "--is-bare-repository", "--absolute-git-dir"])
    if probe.returncode != 0:
        raise InputError(
            _("{path} is not a git repository ({message}).").format(
                path=path, message=_git_message(probe.stderr)
            )
        )
    bare_flag, git_dir = [*probe.stdout.splitlines(), "", ""][:2]
    bare = bare_flag.strip() == "true"
    if bare:
        top = Path(git_dir.strip())
    else:
        top = Path(run_git([git, "-C", str(path), "rev-parse", "--show-toplevel"]).strip())
    if name is not None:
        return Repository(top, check_name(name), bare)
    return Repository(top, default_name(git, top), bare)


def check_revisions(revisions: Sequence[str]) -> None:
    """Refuse revisions that git would read as options (only ``--all`` is one on purpose)."""
    for revision in revisions:
        if not revision or (revision.startswith("-") and revision != "--all"):
            raise InputError(
                _(
                    "'{revision}' is not a revision: expected a branch, tag, commit or range."
                ).format(revision=revision)
            )


def check_name(name: str) -> str:
    """``name`` when it can start a source id: 1 to 100 characters, no spaces or colons."""
    if not name or len(name) > MAX_NAME or _BAD_NAME_CHARACTERS.search(name):
        raise InputError(
            _(
                "Repository name '{name}': expected 1 to {limit} characters without spaces "
                "or colons."
            ).format(name=name, limit=MAX_NAME)
        )
    return name


def default_name(git: str, top: Path) -> str:
    """The last part of the ``origin`` remote's URL, else the folder's name (without ``.git``)."""
    proc = _run([git, "-C", str(top), "config", "--get", "remote.origin.url"])
    url = proc.stdout.strip() if proc.returncode == 0 else ""
    for candidate in (last_part(url), last_part(top.name)):
        cleaned = _BAD_NAME_CHARACTERS.sub("-", candidate).strip("-")[:MAX_NAME]
        if cleaned:
            return cleaned
    return "repository"


def last_part(url_or_name: str) -> str:
    """``pip`` for ``https://github.com/pypa/pip.git``, ``git@github.com:pypa/pip`` or ``pip``."""
    tail = re.split(r"[/\\:]", url_or_name.strip().rstrip("/\\"))[-1]
    return tail.removesuffix(".git")
