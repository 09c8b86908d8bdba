"""Reading Discourse JSON objects: typed fields, and errors that say where a field was.

A :class:`Obj` wraps one JSON object (a topic, a post, a user) with the place it came from: the
file (or webhook), the element (``topic 1855``, ``post 10735``) and the path of the object in
the file (``post_stream.posts[3]``). Its readers return typed values and raise a
:class:`~hearth.errors.RecordError` that names the field when a value has the wrong type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from hearth.domain.activity import ensure_utc
from hearth.errors import RecordError
from hearth.i18n import _


class Obj:
    """One JSON object from Discourse, with its location for error messages."""

    __slots__ = ("data", "element", "path", "source")

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        source: str | None,
        element: str | None = None,
        path: str = "",
    ) -> None:
        self.data = data
        self.source = source
        self.element = element
        self.path = path

    def where(self, element: str) -> Obj:
        """The same object, reported as ``element`` (once its id is known)."""
        return Obj(self.data, source=self.source, element=element, path=self.path)

    def field_path(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> RecordError:
        """A :class:`RecordError` about the field ``name`` of this object."""
        return RecordError(
            problem, source=self.source, element=self.element, field=self.field_path(name)
        )

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error(name, _("this field is required (a whole number)"))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, _("expected a whole number, not {value!r}").format(value=value))
        return value

    def required_integer(self, name: str) -> int:
        value = self.integer(name, required=True)
        assert value is not None
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error(name, _("this field is required (a text)"))
            return None
        if not isinstance(value, str):
            raise self.error(name, _("expected a text, not {value!r}").format(value=value))
        return value

    def flag(self, name: str) -> bool | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self.error(name, _("expected true or false, not {value!r}").format(value=value))
        return value

    def date(self, name: str) -> datetime:
        """A required ISO 8601 date and time (Discourse writes UTC with a ``Z``)."""
        value = self.text(name, required=True)
        assert value is not None
        try:
            return ensure_utc(datetime.fromisoformat(value))
        except ValueError:
            raise self.error(
                name,
                _("expected an ISO 8601 date and time, not {value!r}").format(value=value),
            ) from None

    def optional_date(self, name: str) -> datetime | None:
        return self.date(name) if self.has(name) else None

    def child(self, name: str, *, required: bool = False) -> Obj | None:
        """The JSON object in field ``name``."""
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error(name, _("this field is required (a JSON object)"))
            return None
        if not isinstance(value, Mapping):
            raise self.error(name, _("expected a JSON object"))
        return Obj(value, source=self.source, element=self.element, path=self.field_path(name))

    def required_child(self, name: str) -> Obj:
        value = self.child(name, required=True)
        assert value is not None
        return value

    def values(self, name: str, *, required: bool = False) -> list[Any]:
        """The JSON array in field ``name`` (empty when absent and not required)."""
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error(name, _("this field is required (a JSON array)"))
            return []
        if not isinstance(value, list):
            raise self.error(name, _("expected a JSON array"))
        return value

    def children(self, name: str, *, required: bool = False) -> Iterator[Obj | RecordError]:
        """The objects of the array ``name``; an entry that is not an object is an error."""
        for index, value in enumerate(self.values(name, required=required)):
            path = f"{self.field_path(name)}[{index}]"
            if isinstance(value, Mapping):
                yield Obj(value, source=self.source, element=self.element, path=path)
            else:
                yield RecordError(
                    _("expected a JSON object"),
                    source=self.source,
                    element=self.element,
                    field=path,
                )
