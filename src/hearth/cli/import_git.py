"""``hearth import git``: a local repository's commits, authors and co-authors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hearth.cli.app import import_app, run_ingest, state_of
from hearth.i18n import _


@import_app.command("git")
def import_git(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help=_("A local git repository (its folder, or a bare repository)."), metavar="PATH"
        ),
    ],
    repo_name: Annotated[
        str | None,
        typer.Option(
            "--repo-name",
            metavar="NAME",
            help=_(
                "The repository's name in source ids (default: the last part of the origin "
                "remote's URL, else the folder's name). Keep it the same between imports."
            ),
        ),
    ] = None,
    rev: Annotated[
        list[str] | None,
        typer.Option(
            "--rev",
            metavar="REV",
            help=_("A revision or range to import (repeatable; default: HEAD)."),
        ),
    ] = None,
    all_refs: Annotated[
        bool, typer.Option("--all", help=_("Import the commits of every branch and tag."))
    ] = False,
    stats: Annotated[
        bool,
        typer.Option("--stats", help=_("Record files changed, insertions and deletions (slower).")),
    ] = False,
) -> None:
    """Import a git repository's history: one activity per commit author and co-author.

    Authors and co-authors go through .mailmap; the mailmapped e-mail is the identity.
    """
    from hearth.connectors.git.history import parse_history
    from hearth.connectors.git.repo import open_repository

    state = state_of(ctx)
    repo = open_repository(path, repo_name)
    revisions = ["--all"] if all_refs else (rev or ["HEAD"])
    total = repo.count_commits(revisions)
    history = parse_history(repo, revisions, stats=stats)
    run_ingest(
        state,
        history,
        _("Importing {name}").format(name=repo.name),
        total,
        # git's exit status (a log cut short) can only be read here, where git was started
        after_reading=history.check_exit,
    )
