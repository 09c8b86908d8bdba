"""A Discourse archive: a folder or a tarball of topic files, streamed file by file.

:func:`parse_archive` accepts

- a folder: every ``*.json`` file in it and its sub-folders, in name order;
- a tarball (``.tar``, ``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tar.xz``): every ``*.json``
  member, in archive order, read as a stream (the archive is never unpacked to disk);
- a single topic file (``.json``).

Each file is one topic (``/t/<id>.json``, whatever its name) and is parsed by
:func:`~hearth.connectors.discourse.topics.parse_topic`. A file that is not JSON is one
:class:`RecordError` with its line and column; the files before and after it are kept. Other
files (``SOURCE.txt``, raw Markdown) are skipped.
"""

from __future__ import annotations

import json
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from hearth.connectors.discourse.topics import ArchiveStats, Parsed, parse_topic
from hearth.errors import InputError, RecordError
from hearth.i18n import _

TARBALL_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


def is_tarball(path: Path) -> bool:
    return path.name.lower().endswith(TARBALL_SUFFIXES)


def parse_archive(path: Path, stats: ArchiveStats | None = None) -> Iterator[Parsed]:
    """The records of every topic file under ``path`` (see the module docstring).

    ``stats``, when given, is filled as the files are read: topics, private messages skipped,
    topics whose file holds only part of the post stream. A ``path`` that is neither a folder,
    a tarball nor a ``.json`` file raises :class:`InputError` at once.
    """
    files: Iterator[tuple[str, bytes | RecordError]]
    if path.is_dir():
        files = _folder(path)
    elif path.is_file() and is_tarball(path):
        files = _tarball(path)
    elif path.is_file() and path.suffix.lower() == ".json":
        files = _folder_files([path])
    else:
        raise InputError(
            _("Expected a folder, a tarball (.tar, .tar.gz) or a .json file: {path}").format(
                path=path
            )
        )
    return _records(files, stats if stats is not None else ArchiveStats())


def _records(
    files: Iterator[tuple[str, bytes | RecordError]], stats: ArchiveStats
) -> Iterator[Parsed]:
    for source, content in files:
        if isinstance(content, RecordError):
            yield content
            continue
        stats.files += 1
        data = decode(content, source=source)
        if isinstance(data, RecordError):
            yield data
            continue
        yield from parse_topic(data, source=source, stats=stats)


def decode(content: bytes, *, source: str) -> Any:
    """The JSON value of ``content``, or a :class:`RecordError` saying where it is broken."""
    try:
        return json.loads(content)
    except UnicodeDecodeError as exc:
        return RecordError(_("not UTF-8 text ({reason})").format(reason=exc.reason), source=source)
    except json.JSONDecodeError as exc:
        return RecordError(
            _("not valid JSON ({problem} at column {column})").format(
                problem=exc.msg, column=exc.colno
            ),
            source=source,
            line=exc.lineno,
        )


def _folder(folder: Path) -> Iterator[tuple[str, bytes | RecordError]]:
    return _folder_files(path for path in sorted(folder.rglob("*.json")) if path.is_file())


def _folder_files(paths: Iterable[Path]) -> Iterator[tuple[str, bytes | RecordError]]:
    for path in paths:
        try:
            content: bytes | RecordError = path.read_bytes()
        except OSError as exc:
            content = RecordError(
                _("cannot be read ({reason})").format(reason=exc.strerror), source=str(path)
            )
        yield str(path), content


def _tarball(path: Path) -> Iterator[tuple[str, bytes | RecordError]]:
    try:
        with tarfile.open(path, mode="r|*") as archive:
            for member in archive:
                if not member.isfile() or not member.name.lower().endswith(".json"):
                    continue
                stream = archive.extractfile(member)
                if stream is None:
                    continue
                yield f"{path}:{member.name}", stream.read()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        yield (
            str(path),
            RecordError(
                _(
                    "the tarball is damaged; the files before this point were read ({reason})"
                ).format(reason=exc),
                source=str(path),
            ),
        )
