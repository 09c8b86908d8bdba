"""``hearth playbook ...``: check a playbook file and show what it says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from hearth.cli.app import app, err, out
from hearth.i18n import _, ngettext

if TYPE_CHECKING:
    from hearth.domain.playbook import Playbook

playbook_app = typer.Typer(
    help=_("Playbooks: check a playbook file, show its rules."), no_args_is_help=True
)
app.add_typer(playbook_app, name="playbook")

FileOrName = Annotated[
    str,
    typer.Argument(
        metavar="FILE_OR_NAME",
        help=_(
            "A playbook file, or the name of a shipped playbook (phoenix, atlas, stackexchange)."
        ),
    ),
]


def _count(n: int, singular: str, plural: str) -> str:
    return ngettext(singular, plural, n).format(n=n)


def _load(target: str) -> Playbook:
    """Load ``target``; on problems print each (file:line:column) and exit with status 1."""
    from hearth.playbooks import PlaybookError, load_playbook

    try:
        return load_playbook(target)
    except PlaybookError as exc:
        for problem in exc.problems:
            err.print(Text(problem))
        err.print(
            Text(_count(len(exc.problems), _("{n} problem."), _("{n} problems.")), style="red")
        )
        raise typer.Exit(code=1) from None


@playbook_app.command("check")
def playbook_check(target: FileOrName) -> None:
    """Validate a playbook; print a summary, or every problem with its file, line and column."""
    from hearth.playbooks import playbook_path

    playbook = _load(target)
    targets = playbook.targets
    parts = [
        _count(len(playbook.points.rules), _("{n} points rule"), _("{n} points rules")),
        _count(len(playbook.helped), _("{n} helped rule"), _("{n} helped rules")),
        _count(len(playbook.achievements), _("{n} achievement"), _("{n} achievements")),
        _count(len(playbook.tiers), _("{n} tier"), _("{n} tiers")),
        _count(len(playbook.leaderboards), _("{n} leaderboard"), _("{n} leaderboards")),
        _count(len(targets.health), _("{n} health target"), _("{n} health targets")),
        _count(len(targets.support), _("{n} support target"), _("{n} support targets")),
    ]
    out.print(
        Text(
            _("{path}: {title} ({name}, version {version}) is valid.").format(
                path=playbook_path(target),
                title=playbook.title,
                name=playbook.name,
                version=playbook.version,
            )
        )
    )
    out.print(Text(", ".join(parts) + "."))


@playbook_app.command("show")
def playbook_show(target: FileOrName) -> None:
    """List a playbook's rules, achievements, tiers, leaderboards and targets with their numbers."""
    from hearth.playbooks.describe import playbook_lines

    for line in playbook_lines(_load(target)):
        out.print(Text(line))
