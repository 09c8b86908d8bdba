"""The ``<row .../>`` elements of one data-dump file, streamed with their line numbers.

A dump file is one root element (``<posts>``, ``<votes>``...) holding one ``<row>`` per record,
with every field as an attribute. :func:`read_rows` feeds the file to expat a chunk at a time
and yields each row as a :class:`Row` (its attributes and the line its start tag is on), so
memory stays bounded by the chunk size however large the file is: no element tree is built,
so there is nothing to clear. When the XML is not well-formed, the rows before the break are
yielded, then one :class:`RecordError` with the line and column expat stopped at, and the rest
of that file is skipped.

:class:`Row` converts attributes to Python values; a missing required attribute or a bad value
raises a :class:`RecordError` naming the file, the line, the row and the attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.parsers import expat

from hearth.domain.activity import ensure_utc
from hearth.errors import RecordError
from hearth.i18n import _

CHUNK_BYTES = 1 << 16
_INTEGER = re.compile(r"-?[0-9]+")
_TRUE = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class Row:
    """One ``<row>`` of a dump file: where it is and its attributes, as text."""

    source: str
    line: int
    attrs: dict[str, str]

    @property
    def element(self) -> str:
        """How error messages name this row, e.g. ``row Id="12"``."""
        row_id = self.attrs.get("Id")
        return f'row Id="{row_id}"' if row_id is not None else "row"

    def error(self, field: str | None, problem: str) -> RecordError:
        """A :class:`RecordError` about ``field`` of this row."""
        return RecordError(
            problem, source=self.source, line=self.line, element=self.element, field=field
        )

    def text(self, name: str, *, required: bool = False) -> str | None:
        """The attribute ``name`` as text; ``None`` when absent (an error when ``required``)."""
        value = self.attrs.get(name)
        if value is None and required:
            raise self.error(name, _("this required attribute is missing"))
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        """The attribute ``name`` as a whole number."""
        value = self.text(name, required=required)
        if value is None:
            return None
        if not _INTEGER.fullmatch(value):
            raise self.error(
                name, _("expected a whole number, not {value}").format(value=_shown(value))
            )
        return int(value)

    def required_integer(self, name: str) -> int:
        """The required attribute ``name`` as a whole number."""
        value = self.integer(name, required=True)
        assert value is not None
        return value

    def date(self, name: str) -> datetime:
        """The required attribute ``name`` as a tz-aware UTC datetime (dumps write UTC)."""
        value = self.text(name, required=True)
        assert value is not None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.error(
                name,
                _("expected a date and time such as 2020-08-25T14:03:11.123, not {value}").format(
                    value=_shown(value)
                ),
            ) from None
        return ensure_utc(parsed)

    def flag(self, name: str) -> bool | None:
        """The attribute ``name`` as a boolean (``True`` or ``False``)."""
        value = self.text(name)
        if value is None:
            return None
        parsed = _TRUE.get(value.lower())
        if parsed is None:
            raise self.error(
                name, _("expected True or False, not {value}").format(value=_shown(value))
            )
        return parsed


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


def read_rows(path: Path) -> Iterator[Row | RecordError]:
    """The rows of the dump file at ``path``, then a :class:`RecordError` if it breaks off."""
    source = str(path)
    parser = expat.ParserCreate()
    parsed: list[Row] = []
    depth = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 2 and name == "row":
            parsed.append(Row(source, parser.CurrentLineNumber, attrs))

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                parser.Parse(chunk, False)
                yield from parsed
                parsed.clear()
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        yield from parsed
        yield RecordError(
            _(
                "the XML is not well-formed ({reason} at column {column}); "
                "the rest of this file was skipped"
            ).format(reason=expat.ErrorString(exc.code), column=exc.offset + 1),
            source=source,
            line=exc.lineno,
        )
        return
    except OSError as exc:
        yield RecordError(
            _("the file could not be read ({reason})").format(reason=exc.strerror or exc),
            source=source,
        )
        return
    yield from parsed
