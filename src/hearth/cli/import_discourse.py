"""``hearth import discourse PATH``: a folder or tarball of Discourse topic JSON files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hearth.cli.app import err, import_app, out, run_ingest, state_of
from hearth.errors import HearthError
from hearth.i18n import _, ngettext

if TYPE_CHECKING:
    from hearth.connectors.discourse.topics import ArchiveStats

SHOWN_INCOMPLETE = 20


@import_app.command("discourse")
def import_discourse(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help=_(
                "A folder or a tarball (.tar, .tar.gz) of Discourse topic files (/t/<id>.json), "
                "or one topic file."
            )
        ),
    ],
) -> None:
    """Import Discourse topics: threads, replies, likes received and accepted answers."""
    from hearth.connectors.discourse.archive import parse_archive
    from hearth.connectors.discourse.topics import ArchiveStats

    state = state_of(ctx)
    if not path.exists():
        raise HearthError(_("No such file or folder: {path}").format(path=path))
    stats = ArchiveStats()
    records = parse_archive(path, stats)
    state.engine()  # a database that is not ready fails here, before the closing report
    try:
        # the stats reported below are counted while the archive is read, in a reader
        # process for a large archive: they come back from it
        run_ingest(
            state, records, _("Importing {name}").format(name=path.name), None, reader_state=stats
        )
    finally:
        _report(stats)


def _report(stats: ArchiveStats) -> None:
    """Topics read, and every topic whose file holds only part of its post stream."""
    out.print(
        _("Topics: {topics:,} from {files:,} files; {complete:,} complete.").format(
            topics=stats.topics, files=stats.files, complete=stats.complete
        )
    )
    if stats.private_messages:
        out.print(
            ngettext(
                "{n:,} private message skipped.",
                "{n:,} private messages skipped.",
                stats.private_messages,
            ).format(n=stats.private_messages)
        )
    if not stats.incomplete:
        return
    err.print(
        ngettext(
            "{n:,} topic is incomplete: its file includes only part of the post stream "
            "(see docs/connectors/discourse.md):",
            "{n:,} topics are incomplete: their files include only part of the post stream "
            "(see docs/connectors/discourse.md):",
            len(stats.incomplete),
        ).format(n=len(stats.incomplete)),
        highlight=False,
        markup=False,
    )
    for topic in stats.incomplete[:SHOWN_INCOMPLETE]:
        err.print(
            _("  topic {id}: {present:,} of {total:,} posts ({source})").format(
                id=topic.topic_id,
                present=topic.posts_in_file,
                total=topic.posts_in_stream,
                source=topic.source,
            ),
            highlight=False,
            markup=False,
        )
    if len(stats.incomplete) > SHOWN_INCOMPLETE:
        err.print(
            _("  … and {n:,} more.").format(n=len(stats.incomplete) - SHOWN_INCOMPLETE),
            highlight=False,
            markup=False,
        )
