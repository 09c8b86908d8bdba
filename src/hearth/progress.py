"""Rich progress bars for long imports: counts and a rate, on standard error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from hearth.i18n import _

if TYPE_CHECKING:
    from hearth.actions.ingest import IngestReport


class RateColumn(ProgressColumn):
    """Records per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("– /s", style="progress.data.speed")
        return Text(f"{speed:,.0f}/s", style="progress.data.speed")


class CountsColumn(ProgressColumn):
    """Imported, duplicate and rejected counts so far."""

    def render(self, task: Task) -> Text:
        f = task.fields
        return Text(
            _("{imported:,} new · {duplicates:,} duplicate · {rejected:,} rejected").format(
                imported=f.get("imported", 0),
                duplicates=f.get("duplicates", 0),
                rejected=f.get("rejected", 0),
            )
        )


@contextmanager
def ingest_progress(
    description: str, total: int | None = None, *, console: Console | None = None
) -> Iterator[ProgressUpdater]:
    console = console or Console(stderr=True)
    columns: list[ProgressColumn | str] = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    else:
        columns += [TextColumn("{task.completed:,} records")]
    columns += [RateColumn(), CountsColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield ProgressUpdater(progress, task)


class ProgressUpdater:
    def __init__(self, progress: Progress, task: object) -> None:
        self._progress = progress
        self._task = task

    def __call__(self, report: IngestReport) -> None:
        self._progress.update(
            self._task,  # type: ignore[arg-type]
            completed=report.seen,
            imported=report.imported,
            duplicates=report.duplicates,
            rejected=report.rejected,
        )


@contextmanager
def count_progress(
    description: str, total: int | None = None, *, console: Console | None = None
) -> Iterator[Callable[[int], None]]:
    """A bar for long work that is not an import (a rebuild): yields ``advance(n)``."""
    console = console or Console(stderr=True)
    columns: list[ProgressColumn | str] = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    columns += [RateColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
