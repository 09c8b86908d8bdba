"""``hearth init``, ``generate``, ``serve`` and ``docs``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hearth.cli.app import app, err, out, run_ingest, state_of
from hearth.i18n import _, using_language


@app.command()
def init(ctx: typer.Context) -> None:
    """Create or upgrade the database schema."""
    from hearth.store import migrate

    state = state_of(ctx)
    engine = state.engine(ready=False)
    migrate.upgrade(engine)
    out.print(
        _("Database ready: {url} (schema {revision}).").format(
            url=engine.url.render_as_string(hide_password=True),
            revision=migrate.current_revision(engine),
        )
    )


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
    run_ingest(state_of(ctx), activities, _("Generating"), events)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help=_("Address to listen on."))] = None,
    port: Annotated[int | None, typer.Option("--port", help=_("Port to listen on."))] = None,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help=_("Log every request."))
    ] = False,
) -> None:
    """Run the web server."""
    import uvicorn

    from hearth.web.app import create_app

    state = state_of(ctx)
    state.engine()
    settings = state.settings
    # each page speaks its reader's language; what runs beside them, none (docs/i18n.md)
    with using_language(None):
        uvicorn.run(
            create_app(settings),
            host=host or settings.host,
            port=port or settings.port,
            access_log=access_log,
        )


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
