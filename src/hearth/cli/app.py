"""The Typer application, its sub-command groups, shared state and the ingest runner."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text
from sqlalchemy import Engine

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
    _ready: bool = field(default=False, repr=False)  # checked: reachable, schema current

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(database_url=self.db)
        return self._settings

    def engine(self, *, ready: bool = True) -> Engine:
        from hearth.store.db import check_ready, create_engine

        if self._engine is None:
            self._engine = create_engine(self.settings.database_url)
        if ready and not self._ready:
            check_ready(self._engine)
            _check_schema(self._engine)
            self._ready = True
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._ready = False


def labelled(label: str, message: str, style: str = "red") -> Text:
    """``label: message`` with the label styled; the message is never read as markup."""
    return Text.assemble((f"{label}: ", style), message)


def _check_schema(engine: Engine) -> None:
    """Refuse a database whose schema is not the one this Hearth's code expects: commands and
    pages would fail later, one query at a time, on a table or column that is missing."""
    from hearth.errors import StoreError
    from hearth.store import migrate

    current, head = migrate.current_revision(engine), migrate.head_revision(engine)
    if current == head:
        return
    if current is not None and not migrate.known_revision(engine, current):
        raise StoreError(
            _(
                "The database's schema is at revision {current}, which this version of Hearth "
                "does not know (a newer Hearth upgraded it); run that version instead."
            ).format(current=current)
        )
    raise StoreError(
        _(
            "The database's schema is at revision {current}, older than this version of "
            "Hearth's {head}; run 'hearth init' to upgrade it."
        ).format(current=current or _("none"), head=head)
    )


def state_of(ctx: typer.Context) -> State:
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


def run_ingest(
    state: State,
    records: Iterable[Any],
    description: str,
    total: int | None,
    *,
    parallel: bool = True,
    after_reading: Callable[[], None] | None = None,
    reader_state: object | None = None,
) -> None:
    """Import ``records`` with a progress bar, report, and run the rules engine after.

    ``parallel=False`` for a source whose reading changes something the command reports after
    (it would change in the reading process: see ``hearth.actions.ingest_pipeline``).
    ``after_reading`` runs in this process once every record was read and stored, before the
    report (the git import checks there that ``git log`` succeeded). ``reader_state``: what the
    reading fills in for the command's own report (``ingest``'s, copied back from a reader
    process)."""
    from hearth.actions import ingest as ingest_module
    from hearth.progress import ingest_progress

    engine = state.engine()
    in_parallel = parallel and state.settings.ingest_parallel
    with ingest_progress(description, total) as on_batch:
        report = ingest_module.ingest(
            engine,
            records,
            batch_size=state.settings.ingest_batch_size,
            on_batch=on_batch,
            parallel_after=ingest_module.PARALLEL_AFTER if in_parallel else None,
            reader_state=reader_state,
        )
    if after_reading is not None:
        after_reading()
    for error in report.errors:
        err.print(labelled(_("rejected"), str(error)))
    if report.rejected > len(report.errors):
        err.print(
            _("… and {n} more rejected records.").format(n=report.rejected - len(report.errors))
        )
    out.print(
        _("Imported {imported:,}, duplicates {duplicates:,}, rejected {rejected:,}.").format(
            imported=report.imported, duplicates=report.duplicates, rejected=report.rejected
        )
    )
    if report.erased:
        out.print(_("Skipped {n:,} activities of erased members.").format(n=report.erased))
    if report.imported:
        from hearth.cli.standing import derive_after_ingest

        derive_after_ingest(state)
    if report.rejected:
        raise typer.Exit(code=1)
