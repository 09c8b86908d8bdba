"""The ``hearth`` command line: thin commands over the actions, one error mapper."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.errors import HearthError
from hearth.i18n import _
from hearth.settings import Settings, load_settings

app = typer.Typer(
    name="hearth",
    help=_("Hearth: a self-hosted community engine for developer communities."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
import_app = typer.Typer(help=_("Import activity from files and platforms."), no_args_is_help=True)
export_app = typer.Typer(help=_("Export member data."), no_args_is_help=True)
member_app = typer.Typer(help=_("Members: list, merge, unmerge, link, flag."), no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(member_app, name="member")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@dataclass
class State:
    db: str | None = None
    _settings: Settings | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(database_url=self.db)
        return self._settings

    def engine(self, *, ready: bool = True) -> Engine:
        from hearth.store.db import check_ready, create_engine

        if self._engine is None:
            self._engine = create_engine(self.settings.database_url)
        if ready:
            check_ready(self._engine)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _state(ctx: typer.Context) -> State:
    state = ctx.find_root().obj
    assert isinstance(state, State)
    return state


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=_("Database URL (overrides HEARTH_DATABASE_URL), e.g. sqlite:///./hearth.db"),
            metavar="URL",
        ),
    ] = None,
) -> None:
    """Hearth: a self-hosted community engine for developer communities."""
    ctx.obj = State(db=db)
    ctx.call_on_close(ctx.obj.close)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create or upgrade the database schema."""
    from hearth.store import migrate

    state = _state(ctx)
    engine = state.engine(ready=False)
    migrate.upgrade(engine)
    out.print(
        _("Database ready: {url} (schema {revision}).").format(
            url=engine.url.render_as_string(hide_password=True),
            revision=migrate.current_revision(engine),
        )
    )


# -- imports -------------------------------------------------------------------------------


def _run_ingest(state: State, records: Iterable[Any], description: str, total: int | None) -> None:
    from hearth.actions.ingest import ingest
    from hearth.progress import ingest_progress

    engine = state.engine()
    with ingest_progress(description, total) as on_batch:
        report = ingest(
            engine, records, batch_size=state.settings.ingest_batch_size, on_batch=on_batch
        )
    for error in report.errors:
        err.print(f"[red]{_('rejected')}:[/red] {error}", highlight=False, soft_wrap=True)
    if report.rejected > len(report.errors):
        err.print(
            _("… and {n} more rejected records.").format(n=report.rejected - len(report.errors))
        )
    out.print(
        _("Imported {imported:,}, duplicates {duplicates:,}, rejected {rejected:,}.").format(
            imported=report.imported, duplicates=report.duplicates, rejected=report.rejected
        )
    )
    if report.rejected:
        raise typer.Exit(code=1)


@import_app.command("jsonl")
def import_jsonl(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help=_("A JSON Lines file, one activity per line ('-' for standard input).")
        ),
    ],
) -> None:
    """Import activities from a JSON Lines file (format: docs/import-jsonl.md)."""
    from hearth.connectors.jsonl.parser import parse_file, parse_stream

    state = _state(ctx)
    if str(file) == "-":
        _run_ingest(state, parse_stream(sys.stdin, source="<stdin>"), _("Importing"), None)
        return
    if not file.is_file():
        raise HearthError(_("No such file: {path}").format(path=file))
    _run_ingest(state, parse_file(file), _("Importing {name}").format(name=file.name), None)


@import_app.command("stackexchange")
def import_stackexchange(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(help=_("A Stack Exchange data dump folder (Posts.xml, Users.xml...)."))
    ],
) -> None:
    """Import a Stack Exchange data dump folder, streamed in bounded memory."""
    from hearth.connectors.stackexchange.dump import parse_dump

    state = _state(ctx)
    if not folder.is_dir():
        raise HearthError(_("No such folder: {path}").format(path=folder))
    _run_ingest(state, parse_dump(folder), _("Importing {name}").format(name=folder.name), None)


# -- export --------------------------------------------------------------------------------


class ExportFormat(StrEnum):
    jsonl = "jsonl"


@export_app.command("members")
def export_members(
    ctx: typer.Context,
    format: Annotated[
        ExportFormat, typer.Option("--format", help=_("Output format."))
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=_("Write to this file instead of standard output.")),
    ] = None,
) -> None:
    """Export every member: identities, points, achievements, tier and activity counts."""
    from hearth.actions.export import access_member_export

    engine = _state(ctx).engine()
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for row in access_member_export(engine, Caller.operator()):
            stream.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    finally:
        if output:
            stream.close()


# -- generate ------------------------------------------------------------------------------


@app.command()
def generate(
    ctx: typer.Context,
    members: Annotated[int, typer.Option("--members", min=1, help=_("How many members."))] = 200,
    events: Annotated[int, typer.Option("--events", min=0, help=_("How many activities."))] = 5000,
    seed: Annotated[
        int, typer.Option("--seed", help=_("Random seed: the same seed gives the same community."))
    ] = 1,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=_("Write JSON Lines to this file instead of loading the database."),
        ),
    ] = None,
) -> None:
    """Generate a deterministic synthetic community (for the demo and benchmarks)."""
    from hearth.connectors.demo.generator import generate as generate_activities

    activities = generate_activities(members=members, events=events, seed=seed)
    if output is not None:
        from hearth.connectors.jsonl.parser import dump_activity

        with output.open("w", encoding="utf-8") as stream:
            for activity in activities:
                stream.write(dump_activity(activity) + "\n")
        out.print(_("Wrote {path}.").format(path=output))
        return
    _run_ingest(_state(ctx), activities, _("Generating"), events)


# -- members -------------------------------------------------------------------------------


@member_app.command("list")
def member_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help=_("How many members."))] = 20,
) -> None:
    """The most active members."""
    from hearth.actions.reads import access_top_members

    rows = access_top_members(_state(ctx).engine(), Caller.operator(), limit=limit)
    table = Table(_("id"), _("name"), _("activities"), _("flags"))
    for row in rows:
        flags = ", ".join(f for f, on in (("bot", row["is_bot"]), ("staff", row["is_staff"])) if on)
        table.add_row(str(row["id"]), row["display_name"], f"{row['total']:,}", flags)
    out.print(table)


@member_app.command("merge")
def member_merge(
    ctx: typer.Context,
    source: Annotated[int, typer.Argument(help=_("The member to merge away."))],
    target: Annotated[int, typer.Argument(help=_("The member who remains."))],
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why (kept in the audit log)."))
    ] = None,
) -> None:
    """Merge one member into another (undo with 'hearth member unmerge')."""
    from hearth.actions.members import do_merge

    move = do_merge(_state(ctx).engine(), Caller.operator(), source, target, reason)
    out.print(
        _("Merged member {s} into {t} (merge {m}; undo with 'hearth member unmerge {m}').").format(
            s=source, t=target, m=move
        )
    )


@member_app.command("link")
def member_link(
    ctx: typer.Context,
    identity: Annotated[int, typer.Argument(help=_("The identity id."))],
    member: Annotated[int, typer.Argument(help=_("The member it belongs to."))],
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why (kept in the audit log)."))
    ] = None,
) -> None:
    """Link an identity to a member."""
    from hearth.actions.members import do_link_identity

    move = do_link_identity(_state(ctx).engine(), Caller.operator(), identity, member, reason)
    out.print(
        _("Linked identity {i} to member {m} (link {l}).").format(i=identity, m=member, l=move)
    )


@member_app.command("unmerge")
def member_unmerge(
    ctx: typer.Context,
    move: Annotated[int, typer.Argument(help=_("The merge or link id that merge/link printed."))],
) -> None:
    """Undo a merge or a link."""
    from hearth.actions.members import do_unmerge

    do_unmerge(_state(ctx).engine(), Caller.operator(), move)
    out.print(_("Undid merge {m}.").format(m=move))


@member_app.command("flag")
def member_flag(
    ctx: typer.Context,
    member: Annotated[int, typer.Argument(help=_("The member id."))],
    bot: Annotated[
        bool | None, typer.Option("--bot/--not-bot", help=_("Mark as a bot, or not."))
    ] = None,
    staff: Annotated[
        bool | None, typer.Option("--staff/--not-staff", help=_("Mark as staff, or not."))
    ] = None,
) -> None:
    """Flag a member as a bot or staff (left out of health metrics by default)."""
    from hearth.actions.members import do_flag

    do_flag(_state(ctx).engine(), Caller.operator(), member, is_bot=bot, is_staff=staff)
    out.print(_("Updated member {m}.").format(m=member))


# -- serve and docs ------------------------------------------------------------------------


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help=_("Address to listen on."))] = None,
    port: Annotated[int | None, typer.Option("--port", help=_("Port to listen on."))] = None,
) -> None:
    """Run the web server."""
    import uvicorn

    from hearth.web.app import create_app

    state = _state(ctx)
    state.engine()
    settings = state.settings
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


@app.command("docs")
def docs_command(
    folder: Annotated[
        Path, typer.Option("--folder", help=_("Where the generated references go."))
    ] = Path("docs"),
    check: Annotated[
        bool, typer.Option("--check", help=_("Only check that they are up to date."))
    ] = False,
) -> None:
    """Write (or check) the generated references: activity vocabulary and CLI."""
    from hearth.docs_gen import generated_docs

    stale = []
    for name, text in generated_docs().items():
        path = folder / name
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.write_text(text, encoding="utf-8")
            out.print(_("Wrote {path}.").format(path=path))
    if stale:
        err.print(_("Out of date: {files}. Run 'hearth docs'.").format(files=", ".join(stale)))
        raise typer.Exit(code=1)


def main() -> None:
    """Entry point: the CLI's error mapper. Hearth's errors become a message and exit code 2."""
    import os

    from sqlalchemy.exc import OperationalError

    try:
        app()
    except HearthError as exc:
        err.print(f"[red]{_('Error')}:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except OperationalError as exc:
        err.print(f"[red]{_('Database error')}:[/red] {exc.orig}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print(
            _(
                "Interrupted. Everything committed so far is kept; run the same command "
                "again to continue (duplicates are skipped)."
            )
        )
        sys.exit(130)
    except Exception as exc:  # the last line of defence: no traceback at the user
        if os.environ.get("HEARTH_DEBUG"):
            raise
        err.print(
            f"[red]{_('Internal error')}:[/red] {type(exc).__name__}: {exc}. "
            + _("Please report it; set HEARTH_DEBUG=1 to see the traceback."),
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(3)
