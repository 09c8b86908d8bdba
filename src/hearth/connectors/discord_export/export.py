"""A DiscordChatExporter export, one file or a folder of channel files, as ledger records.

:func:`parse_export` checks the path at once (a missing path, or a folder without ``.csv`` or
``.json`` files, is an :class:`~hearth.errors.InputError`), then yields an
:class:`~hearth.domain.activity.ActivityIn` per activity or a
:class:`~hearth.errors.RecordError` per bad record, file by file in natural order (``2.csv``
before ``10.csv``, so the parts of a split channel are read in time order). Files of a folder
are read one at a time, each streamed (:mod:`.csv_export`, :mod:`.json_export`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hearth.connectors.discord_export.common import ExportOptions, activities_of, natural_key
from hearth.connectors.discord_export.csv_export import RowIds, read_csv
from hearth.connectors.discord_export.json_export import read_json
from hearth.domain.activity import ActivityIn
from hearth.errors import InputError, RecordError
from hearth.i18n import _

Parsed = ActivityIn | RecordError
SUFFIXES = (".csv", ".json")


def export_files(path: Path) -> list[Path]:
    """The export files at ``path``: the file itself, or a folder's ``.csv`` and ``.json``
    files (not its subfolders), in natural order."""
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise InputError(
                _("{path} is not a .csv or .json file from DiscordChatExporter.").format(path=path)
            )
        return [path]
    if path.is_dir():
        files = [
            child
            for child in path.iterdir()
            if child.is_file() and child.suffix.lower() in SUFFIXES
        ]
        if not files:
            raise InputError(
                _("{path} holds no .csv or .json files from DiscordChatExporter.").format(path=path)
            )
        return sorted(files, key=natural_key)
    raise InputError(_("No such file or folder: {path}").format(path=path))


def parse_export(path: Path, options: ExportOptions | None = None) -> Iterator[Parsed]:
    """The records of the export at ``path``; see the module docstring."""
    files = export_files(path)
    return _records(files, options or ExportOptions())


def _records(files: list[Path], options: ExportOptions) -> Iterator[Parsed]:
    row_ids = RowIds()
    for file in files:
        try:
            if file.suffix.lower() == ".csv":
                messages = read_csv(file, options, row_ids)
            else:
                messages = read_json(file, options)
            for message in messages:
                if isinstance(message, RecordError):
                    yield message
                else:
                    yield from activities_of(message)
        except OSError as exc:
            yield RecordError(
                _("the file cannot be read ({reason})").format(reason=exc.strerror or exc),
                source=str(file),
            )
