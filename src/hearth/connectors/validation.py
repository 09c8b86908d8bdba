"""A pydantic validation error as one record error's problem and field."""

from __future__ import annotations

from pydantic import ValidationError

from hearth.i18n import ngettext


def first_problem(error: ValidationError) -> tuple[str, str | None]:
    """The first problem pydantic found (with how many more there were) and the dotted path
    of the field it is in (None when it is about the whole record)."""
    problems = error.errors()
    first = problems[0]
    more = len(problems) - 1
    problem = first["msg"]
    if more:
        problem += ngettext(" (and {n} more problem)", " (and {n} more problems)", more).format(
            n=more
        )
    return problem, ".".join(str(part) for part in first["loc"]) or None
