"""DiscordChatExporter CSV files, streamed row by row.

The header names the columns ``AuthorID, Author, Date, Content, Attachments, Reactions``,
separated by ``,`` (current versions) or ``;`` with a trailing ``;`` (versions of 2019 and
before). Every value is quoted; a message's content may span lines. A file is read a line at a
time, so memory does not grow with its size.

CSV rows carry no message id and no time zone. The dates are wall-clock time in the zone of the
machine that ran the export (``ExportOptions.zone`` says which), and each row's ``source_id`` is
made from the row itself, by :class:`RowIds`.

A bad row becomes a :class:`RecordError` naming the file, the physical line the row starts on
and the column; the rows before and after it are kept. A file whose header is not an export's
is one error for the whole file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from hearth.connectors.discord_export.common import (
    JOINED,
    POSTED,
    THREAD,
    Channel,
    ExportOptions,
    Message,
    channel_from_path,
    identity,
    split_author,
    to_utc,
)
from hearth.errors import RecordError
from hearth.i18n import _

COLUMNS = ("AuthorID", "Author", "Date", "Content", "Attachments", "Reactions")
ROW_ID_MEMORY = 4096
DATE_EXAMPLES = "05-Jun-18 07:13 AM, 6/5/2018 7:13 AM, 2018-06-05T07:13:00+00:00"

# System notices, as DiscordChatExporter writes them in place of the content.
SYSTEM_TEXTS: dict[str, str | None] = {
    "Joined the server.": JOINED,
    "Started a thread.": THREAD,
    "Pinned a message.": None,
    "Changed the channel icon.": None,
    "Changed the channel name.": None,
}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_DAY_MONTH_YEAR = re.compile(
    r"(?P<day>[0-9]{1,2})-(?P<month>[A-Za-z]{3})-(?P<year>[0-9]{2}|[0-9]{4}) "
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))? ?(?P<half>[AaPp][Mm])"
)
_MONTH_DAY_YEAR = re.compile(
    r"(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})/(?P<year>[0-9]{4}) "
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))? ?(?P<half>[AaPp][Mm])"
)
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*")
_REACTION = re.compile(r"(?P<emoji>.+?) \((?P<count>[0-9]+)\)")
_URL_START = re.compile(r",(?=[A-Za-z][A-Za-z0-9+.-]*://)")
_UNDECODED = re.compile("[\udc80-\udcff]")
_AUTHOR_ID = re.compile(r"[0-9]{1,20}")


class RowIds:
    """Stable ``source_id`` for CSV rows, which have no message id.

    The id is a hash of the channel, the author's id, the date, the content and how many
    identical rows (same channel, author, date and content) came before this one, so two
    identical messages in the same minute stay two activities and importing the same rows
    again gives the same ids. The date is hashed as written (before the time zone is
    applied), so ``--timezone`` does not change the ids. Only the last
    :data:`ROW_ID_MEMORY` distinct rows are remembered: identical rows are in the same minute,
    hence close together in an export sorted by time.
    """

    def __init__(self, memory: int = ROW_ID_MEMORY) -> None:
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._memory = memory

    def next_id(self, channel_key: str, author_id: str, written: datetime, content: str) -> str:
        """The ``source_id`` of the next row with these values."""
        stamp = written.astimezone(UTC) if written.tzinfo is not None else written
        text = "\x1f".join((channel_key, author_id, stamp.isoformat(), content))
        base = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        earlier = self._seen.pop(base, 0)
        self._seen[base] = earlier + 1
        if len(self._seen) > self._memory:
            self._seen.popitem(last=False)
        digest = base if earlier == 0 else hashlib.sha256(f"{base}:{earlier}".encode()).hexdigest()
        return f"csv:{digest[:40]}"


def parse_date(text: str, date_format: str | None = None) -> datetime:
    """A CSV date as written: naive wall-clock time, or aware when it names its offset.

    Understood: ``05-Jun-18 07:13 AM`` (the default of older DiscordChatExporter versions),
    ``6/5/2018 7:13 AM`` (the later default, ``en-US``), ISO 8601 with or without an offset;
    or ``date_format`` (a :func:`~datetime.datetime.strptime` format) when given. Raises
    :class:`ValueError` otherwise.
    """
    text = text.strip()
    if date_format:
        return datetime.strptime(text, date_format)
    if _ISO.fullmatch(text):
        return datetime.fromisoformat(text)
    match = _DAY_MONTH_YEAR.fullmatch(text) or _MONTH_DAY_YEAR.fullmatch(text)
    if match is None:
        raise ValueError(text)
    month_text = match["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower(), 0)
    year = int(match["year"])
    if year < 100:
        year += 2000
    hour = int(match["hour"])
    if not 1 <= hour <= 12:
        raise ValueError(text)
    hour = hour % 12 + (12 if match["half"].lower() == "pm" else 0)
    second = int(match["second"] or 0)
    return datetime(year, month, int(match["day"]), hour, int(match["minute"]), second)


def parse_reactions(text: str) -> dict[str, int]:
    """``"👍 (2),komodo (1)"`` as ``{"👍": 2, "komodo": 1}``; :class:`ValueError` if garbled."""
    reactions: dict[str, int] = {}
    text = text.strip()
    position = 0
    while position < len(text):
        match = _REACTION.match(text, position)
        if match is None:
            raise ValueError(text)
        emoji = match["emoji"].strip()
        reactions[emoji] = reactions.get(emoji, 0) + int(match["count"])
        position = match.end()
        if position < len(text):
            if text[position] != ",":
                raise ValueError(text)
            position += 1
    return reactions


def split_attachments(text: str) -> list[str]:
    """The attachments column (URLs, or file paths when assets were downloaded) as a list."""
    text = text.strip()
    if not text:
        return []
    parts = _URL_START.split(text) if "://" in text else text.split(",")
    return [part.strip() for part in parts if part.strip()]


def read_csv(
    path: Path, options: ExportOptions, row_ids: RowIds
) -> Iterator[Message | RecordError]:
    """The messages of the CSV export at ``path``, or an error per bad row."""
    source = str(path)
    channel = channel_from_path(path, options.channel)
    with path.open("rb") as raw:
        lines = _decoded_lines(raw)
        first = next(lines, None)
        header = (first or "").lstrip("\ufeff").rstrip("\r\n")
        delimiter = _delimiter_of(header)
        if delimiter is None:
            yield RecordError(
                _(
                    "not a DiscordChatExporter CSV export: expected the header "
                    "'{expected}' (separated by ',' or ';'), found '{found}'"
                ).format(expected=",".join(COLUMNS), found=header[:120]),
                source=source,
                line=1,
            )
            return
        columns = header.split(delimiter)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        shape = _Shape(columns, delimiter)
        end = 1
        while True:
            start = end + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                end = 1 + reader.line_num
                yield RecordError(
                    _("the CSV is garbled here ({reason}); expected quoted values").format(
                        reason=exc
                    ),
                    source=source,
                    line=start,
                )
                continue
            end = 1 + reader.line_num
            if not row:
                continue  # a blank line
            try:
                message = _message(shape.values(row), channel, options, row_ids)
            except _RowProblem as problem:
                yield RecordError(problem.text, source=source, line=start, field=problem.field)
                continue
            yield message


class _RowProblem(Exception):
    """A bad value in the row being read; :func:`read_csv` adds the file and line."""

    def __init__(self, field: str | None, text: str) -> None:
        super().__init__(text)
        self.field = field
        self.text = text


class _Shape:
    """Where each column is in a row, and whether a row has the right number of values."""

    def __init__(self, columns: list[str], delimiter: str) -> None:
        self.index = {name: columns.index(name) for name in COLUMNS}
        self.names = columns
        self.width = len(columns)
        self.delimiter = delimiter

    def values(self, row: list[str]) -> dict[str, str]:
        if len(row) < self.width or any(row[self.width :]):
            shortest = min(len(row), max(self.index.values()))
            field = self.names[shortest] if len(row) < self.width else None
            raise _RowProblem(
                field,
                _("expected {width} values separated by '{sep}', found {found}").format(
                    width=self.width, sep=self.delimiter, found=len(row)
                ),
            )
        values = {name: row[i] for name, i in self.index.items()}
        for name, value in values.items():
            if _UNDECODED.search(value):
                raise _RowProblem(name, _("not UTF-8 text: the file is damaged or not UTF-8"))
        return values


def _message(
    values: dict[str, str], channel: Channel, options: ExportOptions, row_ids: RowIds
) -> Message:
    author_id = values["AuthorID"].strip()
    if not _AUTHOR_ID.fullmatch(author_id):
        raise _RowProblem(
            "AuthorID",
            _("expected a Discord user id (a number), not '{value}'").format(value=author_id[:40]),
        )
    full_name = values["Author"].strip()
    if not full_name:
        raise _RowProblem("Author", _("expected the author's name, such as 'name#1234'"))
    try:
        written = parse_date(values["Date"], options.date_format)
    except ValueError:
        expected = options.date_format or DATE_EXAMPLES
        raise _RowProblem(
            "Date",
            _("expected a date and time such as {examples}, not '{value}'").format(
                examples=expected, value=values["Date"][:40]
            ),
        ) from None
    try:
        reactions = parse_reactions(values["Reactions"])
    except ValueError:
        raise _RowProblem(
            "Reactions",
            _("expected reactions such as '👍 (2),komodo (1)', not '{value}'").format(
                value=values["Reactions"][:60]
            ),
        ) from None
    content = values["Content"]
    name, discriminator = split_author(full_name)
    is_bot = options.bots.guessed(author_id, name, discriminator)
    return Message(
        source_id=row_ids.next_id(channel.key, author_id, written, content),
        kind=SYSTEM_TEXTS.get(content, POSTED),
        occurred_at=to_utc(written, options.zone),
        author=identity(author_id, name, discriminator, is_bot=is_bot),
        channel=channel,
        content=content,
        attachments=split_attachments(values["Attachments"]),
        reactions=reactions,
    )


def _delimiter_of(header: str) -> str | None:
    for delimiter in (",", ";"):
        names = header.split(delimiter)
        if all(name in names for name in COLUMNS):
            return delimiter
    return None


def _decoded_lines(raw: BinaryIO) -> Iterator[str]:
    """The file's lines as text; bytes that are not UTF-8 become lone surrogates, so the
    row holding them can be rejected and the rows around it kept."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    for line in raw:
        yield decoder.decode(line)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail
