"""``hearth faq ...``: the FAQ entries the bot suggests, managed from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from hearth.actions.context import Caller
from hearth.cli.app import app, out, state_of
from hearth.errors import InputError, RecordError
from hearth.i18n import _

if TYPE_CHECKING:
    from hearth.domain.faq import FaqEntry

faq_app = typer.Typer(
    help=_("FAQ entries: add, list, show, edit, remove, import; ask a question."),
    no_args_is_help=True,
)
app.add_typer(faq_app, name="faq")

Keywords = Annotated[
    list[str] | None,
    typer.Option(
        "--keyword", "-k", help=_("A keyword or phrase that points to this entry (repeatable).")
    ),
]
Links = Annotated[
    list[str] | None,
    typer.Option("--link", "-l", help=_("A web address to read more (repeatable).")),
]
EntryId = Annotated[int, typer.Argument(help=_("The entry id ('hearth faq list' shows them)."))]


def _show(entry: FaqEntry) -> None:
    out.print(Text.assemble((f"#{entry.id} ", "bold"), (entry.question, "bold")))
    out.print(Text(entry.answer))
    if entry.keywords:
        out.print(Text(_("Keywords: {k}").format(k=", ".join(entry.keywords)), style="dim"))
    for link in entry.links:
        out.print(Text(link, style="cyan"))


@faq_app.command("add")
def faq_add(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help=_("The question, as members ask it."))],
    answer: Annotated[str, typer.Argument(help=_("The answer (Markdown)."))],
    keyword: Keywords = None,
    link: Links = None,
) -> None:
    """Add an FAQ entry."""
    from hearth.actions.faq import do_add_faq

    entry = do_add_faq(
        state_of(ctx).engine(), Caller.operator(), question, answer, keyword or (), link or ()
    )
    out.print(_("Added FAQ entry {id}.").format(id=entry.id))


@faq_app.command("list")
def faq_list(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", help=_("table, or json (re-importable)."), metavar="FORMAT")
    ] = "table",
) -> None:
    """Every FAQ entry, with its feedback counts."""
    from hearth.actions.faq import access_faq_entries, access_faq_stats

    engine = state_of(ctx).engine()
    entries = access_faq_entries(engine)
    if fmt == "json":
        typer.echo(json.dumps([_record(e) for e in entries], ensure_ascii=False, indent=2))
        return
    if fmt != "table":
        raise InputError(_("Unknown format {f!r}: use table or json.").format(f=fmt))
    if not entries:
        out.print(_("No FAQ entries yet: add one with 'hearth faq add'."))
        return
    stats = access_faq_stats(engine)
    table = Table(_("id"), _("question"), _("keywords"), _("helpful"), _("dismissed"))
    for entry in entries:
        s = stats.get(entry.id)
        table.add_row(
            str(entry.id),
            Text(entry.question),
            Text(", ".join(entry.keywords)),
            str(s.helpful if s else 0),
            str(s.dismissed if s else 0),
        )
    out.print(table)


def _record(entry: FaqEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "question": entry.question,
        "answer": entry.answer,
        "keywords": list(entry.keywords),
        "links": list(entry.links),
    }


@faq_app.command("show")
def faq_show(ctx: typer.Context, entry_id: EntryId) -> None:
    """One FAQ entry in full."""
    from hearth.actions.faq import access_faq_entry

    _show(access_faq_entry(state_of(ctx).engine(), entry_id))


@faq_app.command("edit")
def faq_edit(
    ctx: typer.Context,
    entry_id: EntryId,
    question: Annotated[str | None, typer.Option("--question", help=_("The new question."))] = None,
    answer: Annotated[str | None, typer.Option("--answer", help=_("The new answer."))] = None,
    keyword: Annotated[
        list[str] | None,
        typer.Option("--keyword", "-k", help=_("Replace the keywords (repeatable).")),
    ] = None,
    link: Annotated[
        list[str] | None, typer.Option("--link", "-l", help=_("Replace the links (repeatable)."))
    ] = None,
    clear_keywords: Annotated[
        bool, typer.Option("--clear-keywords", help=_("Remove every keyword."))
    ] = False,
    clear_links: Annotated[
        bool, typer.Option("--clear-links", help=_("Remove every link."))
    ] = False,
) -> None:
    """Change an FAQ entry (only the fields given)."""
    from hearth.actions.faq import do_update_faq

    entry = do_update_faq(
        state_of(ctx).engine(),
        Caller.operator(),
        entry_id,
        question=question,
        answer=answer,
        keywords=[] if clear_keywords else keyword,
        links=[] if clear_links else link,
    )
    out.print(_("Updated FAQ entry {id}.").format(id=entry.id))


@faq_app.command("remove")
def faq_remove(
    ctx: typer.Context,
    entry_id: EntryId,
    yes: Annotated[bool, typer.Option("--yes", help=_("Do not ask for confirmation."))] = False,
) -> None:
    """Remove an FAQ entry and its feedback (the audit log keeps its text)."""
    from hearth.actions.faq import do_remove_faq

    if not yes:
        typer.confirm(_("Remove FAQ entry {id}?").format(id=entry_id), abort=True)
    do_remove_faq(state_of(ctx).engine(), Caller.operator(), entry_id)
    out.print(_("Removed FAQ entry {id}.").format(id=entry_id))


def _read_entries(path: Path) -> list[Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(_("Cannot read {path}: {error}").format(path=path, error=exc)) from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise RecordError(str(exc).splitlines()[0], source=str(path)) from exc
    if isinstance(data, dict) and isinstance(data.get("entries"), list):
        data = data["entries"]
    if not isinstance(data, list):
        raise RecordError(
            _("expected a list of entries (or a mapping with an 'entries' list)"), source=str(path)
        )
    return data


@faq_app.command("import")
def faq_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help=_("A YAML or JSON file: a list of entries (question, answer, keywords, links).")
        ),
    ],
) -> None:
    """Add or update FAQ entries from a file; importing the same file again changes nothing."""
    from hearth.actions.faq import check_import_faq

    records = _read_entries(file)
    report = check_import_faq(state_of(ctx).engine(), Caller.operator(), records, source=str(file))
    out.print(
        _("FAQ import: {a} added, {u} updated, {n} unchanged.").format(
            a=report.added, u=report.updated, n=report.unchanged
        )
    )


@faq_app.command("ask")
def faq_ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help=_("A question, as a member would ask it."))],
    limit: Annotated[int, typer.Option("--limit", min=1, help=_("How many matches."))] = 3,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0.0, max=1.0, help=_("Lowest score shown (0 to 1).")),
    ] = None,
) -> None:
    """The entries that would be suggested for a question, with their scores."""
    from hearth.actions.faq import access_faq_lookup
    from hearth.domain.faq import DEFAULT_THRESHOLD

    level = DEFAULT_THRESHOLD if threshold is None else threshold
    matches = access_faq_lookup(state_of(ctx).engine(), question, limit=limit, threshold=level)
    if not matches:
        out.print(_("No FAQ entry matches (threshold {t:.2f}).").format(t=level))
        return
    for match in matches:
        why = ", ".join([*match.detail.keywords, *match.detail.terms])
        out.print(
            Text.assemble(
                (f"{match.score:.2f}  ", "green"),
                (f"#{match.entry.id} ", "bold"),
                (match.entry.question, "bold"),
                (f"  ({why})" if why else "", "dim"),
            )
        )


@faq_app.command("feedback")
def faq_feedback(
    ctx: typer.Context,
    member: Annotated[
        int | None, typer.Option("--member", help=_("Only this member's feedback."))
    ] = None,
) -> None:
    """Feedback clicks as JSON Lines (a member's are part of their data export)."""
    from hearth.actions.faq import access_faq_feedback

    for row in access_faq_feedback(state_of(ctx).engine(), Caller.operator(), member):
        typer.echo(json.dumps({**row, "at": row["at"].isoformat()}))
