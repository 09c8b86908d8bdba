"""``hearth import github OWNER/REPO``: a repository's history, resumable."""

from __future__ import annotations

from typing import Annotated

import typer

from hearth.cli.app import err, import_app, out, state_of
from hearth.i18n import _
from hearth.settings import Settings


def github_token(settings: Settings) -> str | None:
    """The GitHub token from the settings (``HEARTH_GITHUB_TOKEN``), or None."""
    if settings.github_token is None:
        return None
    return settings.github_token.get_secret_value().strip() or None


def _announce_wait(seconds: float, reason: str) -> None:
    err.print(
        _("GitHub {reason}: waiting {seconds:.0f} s before continuing.").format(
            reason=reason, seconds=seconds
        ),
        highlight=False,
    )


@import_app.command("github")
def import_github(
    ctx: typer.Context,
    repository: Annotated[
        str,
        typer.Argument(help=_("The repository, as OWNER/REPO."), metavar="OWNER/REPO"),
    ],
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            help=_(
                "GitHub's REST API (overrides HEARTH_GITHUB_API_URL; GitHub Enterprise: "
                "https://HOST/api/v3)."
            ),
            metavar="URL",
        ),
    ] = None,
) -> None:
    """Import a GitHub repository's issues, pull requests, reviews, comments and discussions.

    Resumable: run it again after an interruption to continue where it stopped, or later to
    import only what changed (docs/connectors/github.md).
    """
    from hearth.connectors.github.api import GitHubApiError, HttpxGitHubClient
    from hearth.connectors.github.backfill import BackfillReport, backfill, check_repo_name
    from hearth.progress import ingest_progress

    state = state_of(ctx)
    check_repo_name(repository)
    engine = state.engine()
    token = github_token(state.settings)
    if token is None:
        err.print(
            _(
                "No GitHub token (HEARTH_GITHUB_TOKEN): GitHub allows only 60 requests an hour "
                "without one."
            )
        )
    with (
        HttpxGitHubClient(
            api_url or state.settings.github_api_url, token, on_wait=_announce_wait
        ) as client,
        ingest_progress(_("Importing {repo} from GitHub").format(repo=repository)) as on_batch,
    ):

        def on_page(listing: str, report: BackfillReport) -> None:
            on_batch(report.ingest)

        try:
            report = backfill(
                engine,
                client,
                repository,
                batch_size=state.settings.ingest_batch_size,
                on_page=on_page,
            )
        except GitHubApiError:
            err.print(
                _(
                    "Stopped. Every page imported so far is kept: run the same command again "
                    "to continue from where it stopped."
                )
            )
            raise
    result = report.ingest
    for error in result.errors:
        err.print(f"[red]{_('rejected')}:[/red] {error}", highlight=False, soft_wrap=True)
    if result.rejected > len(result.errors):
        err.print(
            _("… and {n} more rejected records.").format(n=result.rejected - len(result.errors))
        )
    pages = ", ".join(f"{name} {count}" for name, count in report.pages.items()) or "0"
    out.print(
        _("{repo}: {requests} requests; pages read: {pages}.").format(
            repo=report.repository, requests=client.requests, pages=pages
        )
    )
    if report.skipped:
        out.print(
            _("Skipped (not enabled on the repository): {listings}.").format(
                listings=", ".join(report.skipped)
            )
        )
    out.print(
        _("Imported {imported:,}, duplicates {duplicates:,}, rejected {rejected:,}.").format(
            imported=result.imported, duplicates=result.duplicates, rejected=result.rejected
        )
    )
    if result.erased:
        out.print(_("Skipped {n:,} activities of erased members.").format(n=result.erased))
    if result.imported:
        from hearth.cli.standing import derive_after_ingest

        derive_after_ingest(state)
    if result.rejected:
        raise typer.Exit(code=1)
