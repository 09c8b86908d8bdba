"""A repository's history as ``commit.authored`` activities.

:func:`parse_history` yields, for every commit ``git log`` shows, one activity for its author
and one for each distinct co-author named by a ``Co-authored-by:`` trailer (``co_author``
true), all streamed. Co-authors go through the repository's ``.mailmap`` too
(:class:`~hearth.connectors.git.mailmap.Mailmap`, asked once per window of commits); a
co-author who is the commit's author after the mailmap is not counted twice.

=============== ================================= ============================================
who             source id                         actor
=============== ================================= ============================================
author          ``<repo>:<sha>``                  the mailmapped author
co-author       ``<repo>:<sha>:co:<e-mail>``      the mailmapped co-author (lower-cased e-mail)
=============== ================================= ============================================

The time is the author date, converted from its zone to UTC. The target is the commit
(``commit``, its full id). Properties: ``repository``, ``sha``, ``co_author``, ``merge``,
``committed_at`` (UTC, ISO 8601), ``files_changed``/``insertions``/``deletions`` when
statistics were asked for (not for merges, which git shows no diff for), and ``github_login``/
``github_user_id`` when the person's address is a GitHub noreply address.

A trailer that names no e-mail address (``Co-authored-by: Bob``) is reported as a
:class:`RecordError` naming the commit; the commit's other activities are kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from hearth.connectors.git import PLATFORM
from hearth.connectors.git.log import Commit, GitLog, read_log
from hearth.connectors.git.mailmap import Mailmap, parse_contact
from hearth.connectors.git.people import github_account, identity_ref
from hearth.connectors.git.repo import Repository
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import RecordError
from hearth.i18n import _

Parsed = ActivityIn | RecordError
KIND = "commit.authored"
WINDOW = 500


def parse_history(
    repo: Repository, revisions: Sequence[str] = ("HEAD",), *, stats: bool = False
) -> History:
    """The ledger records of ``git log revisions`` in ``repo`` (see the module docstring)."""
    return History(repo, read_log(repo, revisions, stats=stats))


class History:
    """A repository's history as ledger records, iterated once. After a reader process forked
    from this one read them, :meth:`check_exit` tells whether ``git log`` succeeded
    (:class:`~hearth.connectors.git.log.GitLog`)."""

    def __init__(self, repo: Repository, log: GitLog) -> None:
        self.repo = repo
        self.log = log

    def __iter__(self) -> Iterator[Parsed]:
        mailmap = Mailmap(self.repo)
        records = iter(self.log)
        while window := list(islice(records, WINDOW)):
            mailmap.prefetch(
                contact
                for record in window
                if isinstance(record, Commit)
                for value in record.co_authors
                if (contact := parse_contact(value)) is not None
            )
            for record in window:
                if isinstance(record, RecordError):
                    yield record
                else:
                    yield from commit_records(self.repo.name, record, mailmap)

    def check_exit(self) -> None:
        """Raise :class:`~hearth.errors.HearthError` if ``git log`` failed (see
        :meth:`GitLog.check_exit`)."""
        self.log.check_exit()


def commit_records(repo_name: str, commit: Commit, mailmap: Mailmap) -> Iterator[Parsed]:
    """The author's activity and the co-authors' activities of one commit."""
    element = _("commit {sha}").format(sha=commit.sha)
    author = commit.author
    actor = identity_ref(author.name, author.email, author.raw_name)
    if actor is None:
        yield RecordError(_("the commit names no author"), element=element, field="author")
    else:
        yield _activity(
            f"{repo_name}:{commit.sha}",
            commit,
            repo_name,
            actor_ref=actor,
            co_author=False,
            account=github_account(author.email, author.raw_email),
        )
    credited = {actor.external_id} if actor is not None else set()
    for value in commit.co_authors:
        contact = parse_contact(value)
        if contact is None:
            yield RecordError(
                _("expected 'Name <e-mail>', not '{value}'").format(value=value),
                element=element,
                field="Co-authored-by",
            )
            continue
        name, email = mailmap.map(contact)
        ref = identity_ref(name, email, contact[0])
        if ref is None or ref.external_id in credited:
            continue
        credited.add(ref.external_id)
        yield _activity(
            f"{repo_name}:{commit.sha}:co:{ref.external_id}",
            commit,
            repo_name,
            actor_ref=ref,
            co_author=True,
            account=github_account(email, contact[1]),
        )


def _activity(
    source_id: str,
    commit: Commit,
    repo_name: str,
    *,
    actor_ref: IdentityRef,
    co_author: bool,
    account: dict[str, object],
) -> ActivityIn:
    properties: dict[str, Any] = {
        "repository": repo_name,
        "sha": commit.sha,
        "co_author": co_author,
        "merge": commit.is_merge,
        "committed_at": commit.committed_at.isoformat(),
    }
    if commit.stats is not None and not commit.is_merge:
        properties["files_changed"] = commit.stats.files_changed
        properties["insertions"] = commit.stats.insertions
        properties["deletions"] = commit.stats.deletions
    properties.update(account)
    return ActivityIn(
        platform=PLATFORM,
        source_id=source_id,
        kind=KIND,
        occurred_at=commit.authored_at,
        actor=actor_ref,
        target_type="commit",
        target_id=commit.sha,
        properties=properties,
    )
