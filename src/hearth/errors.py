"""Hearth's typed errors: one tree, each with a stable code and a message a user can act on.

::

    HearthError                      hearth
    ├── ConfigError                  config        settings missing, invalid or unsafe
    ├── InputError                   input         untrusted input is malformed
    │   ├── RecordError              input.record  one record of a file (file, line, field)
    │   └── UnknownKind              input.kind    an activity kind not in the vocabulary
    ├── NotFound                     not_found     a member, identity or record does not exist
    ├── Conflict                     conflict      the change contradicts the current state
    ├── PermissionDenied             permission    the caller may not do this
    ├── NotAuthenticated             auth          sign in first, or the sign-in failed
    ├── RateLimited                  rate_limited  too many attempts; wait and try again
    ├── StoreError                   store         the database is unreachable or not migrated
    └── UpstreamError                upstream      an outside service (GitHub...) kept failing

Code below the interfaces raises these; each interface (CLI, web, bot) has one mapper that
turns them into a message, an HTTP status or a reply. Nothing else is caught broadly.
"""

from __future__ import annotations

from typing import Any


class HearthError(Exception):
    """Base of every error Hearth raises on purpose."""

    code = "hearth"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(HearthError):
    code = "config"


class InputError(HearthError):
    code = "input"
    http_status = 400


class RecordError(InputError):
    """One bad record in an input file: says where it is and what was expected."""

    code = "input.record"

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        line: int | None = None,
        element: str | None = None,
        field: str | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.line = line
        self.element = element
        self.field = field
        super().__init__(self._format())

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled with its parts, not its formatted message (an import's reading process
        # sends its rejected records to the writer: hearth.actions.ingest_pipeline)
        return (
            _record_error,
            (type(self), self.problem, self.source, self.line, self.element, self.field),
        )

    def _format(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.element:
            where.append(self.element)
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem


def _record_error(
    cls: type[RecordError],
    problem: str,
    source: str | None,
    line: int | None,
    element: str | None,
    field: str | None,
) -> RecordError:
    return cls(problem, source=source, line=line, element=element, field=field)


class UnknownKind(InputError):
    code = "input.kind"


class NotFound(HearthError):
    code = "not_found"
    http_status = 404


class Conflict(HearthError):
    code = "conflict"
    http_status = 409


class PermissionDenied(HearthError):
    code = "permission"
    http_status = 403


class NotAuthenticated(HearthError):
    """The caller is not signed in (or the credentials were wrong)."""

    code = "auth"
    http_status = 401


class RateLimited(HearthError):
    code = "rate_limited"
    http_status = 429


class StoreError(HearthError):
    code = "store"
    http_status = 503


class UpstreamError(HearthError):
    """An outside service could not be reached, or kept answering with an error."""

    code = "upstream"
    http_status = 502
