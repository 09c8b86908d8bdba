"""Reading one large JSON document a value at a time, with line numbers.

A DiscordChatExporter JSON file is one object whose ``messages`` array can hold millions of
messages. :class:`JsonStream` keeps a sliding window of the text and decodes one value at a
time with :meth:`json.JSONDecoder.raw_decode`, so memory is bounded by the largest single
value (one message), not by the file. It knows the line each value starts on, for errors.
"""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

from hearth.i18n import _

CHUNK_CHARS = 1 << 16
_SPACE = re.compile(r"[ \t\r\n]*")


class JsonSyntaxError(Exception):
    """The document is not well-formed JSON at ``line``."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


class JsonStream:
    """A cursor over the JSON text of ``stream``; see the module docstring."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._decoder = json.JSONDecoder()
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._lines_dropped = 0  # newlines in the text already dropped from the buffer
        self._mark = 0  # newlines in self._buffer[:self._mark] are counted in self._mark_lines
        self._mark_lines = 0

    def line(self, pos: int | None = None) -> int:
        """The 1-based line of ``pos`` in the buffer (default: the cursor)."""
        pos = self._pos if pos is None else pos
        if pos < self._mark:
            self._mark = self._mark_lines = 0
        self._mark_lines += self._buffer.count("\n", self._mark, pos)
        self._mark = pos
        return self._lines_dropped + self._mark_lines + 1

    def peek(self) -> str:
        """The next character that is not white space, without consuming it ("" at the end)."""
        while True:
            self._pos = _SPACE.match(self._buffer, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._read_more():
                return ""

    def expect(self, allowed: str) -> str:
        """Consume the next character, which must be one of ``allowed``."""
        found = self.peek()
        if not found or found not in allowed:
            raise JsonSyntaxError(
                _("expected one of {allowed} but found {found}").format(
                    allowed=" ".join(repr(c) for c in allowed),
                    found=repr(found) if found else _("the end of the file"),
                ),
                self.line(),
            )
        self._pos += 1
        return found

    def value(self) -> Any:
        """Decode and consume the next JSON value."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as exc:
                if self._read_more():
                    continue
                raise JsonSyntaxError(
                    _("the JSON is not well-formed ({reason} at column {column})").format(
                        reason=exc.msg, column=exc.colno
                    ),
                    self.line(exc.pos),
                ) from None
            if end == len(self._buffer) and self._read_more():
                continue  # a number or literal at the end of the buffer may go on
            self._pos = end
            return value

    def _read_more(self) -> bool:
        if self._eof:
            return False
        self._drop_consumed()
        chunk = self._stream.read(max(CHUNK_CHARS, len(self._buffer)))
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def _drop_consumed(self) -> None:
        cut = self._pos
        if not cut:
            return
        if self._mark <= cut:
            self._lines_dropped += self._mark_lines + self._buffer.count("\n", self._mark, cut)
            self._mark = self._mark_lines = 0
        else:
            dropped = self._buffer.count("\n", 0, cut)
            self._lines_dropped += dropped
            self._mark -= cut
            self._mark_lines -= dropped
        self._buffer = self._buffer[cut:]
        self._pos = 0
