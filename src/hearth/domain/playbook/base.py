"""The building blocks every playbook section shares: keys, durations, activity matches.

All playbook models derive from :class:`PlaybookModel`: unknown fields are errors (a typo never
passes silently), values are not coerced (``"10"`` is not a number, ``yes`` in quotes is not a
boolean) and models are immutable once loaded.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from hearth.domain.kinds import all_kinds, get_kind
from hearth.domain.playbook.conditions import (
    OPERATORS,
    SPECIAL_KEYS,
    Predicate,
    check_operators,
    compile_where,
    is_scalar,
)
from hearth.domain.playbook.durations import parse_duration


@dataclass(frozen=True, slots=True)
class TypeLabel:
    """Annotation metadata: how the generated reference names a constrained type."""

    text: str


class PlaybookModel(BaseModel):
    """Base of every playbook model: strict, closed to unknown fields, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# -- scalar types ---------------------------------------------------------------------------

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"

Key = Annotated[
    str,
    StringConstraints(pattern=KEY_PATTERN, max_length=64),
    TypeLabel("key"),
]
"""A stable identifier: lowercase letters, digits and underscores, starting with a letter."""

Text = Annotated[str, StringConstraints(min_length=1), TypeLabel("text")]


def _check_kind(name: str) -> str:
    if get_kind(name) is None:
        close = difflib.get_close_matches(name, [k.name for k in all_kinds()], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"'{name}' is not a registered activity kind{hint}")
    return name


KindName = Annotated[str, AfterValidator(_check_kind), TypeLabel("activity kind")]
"""The name of a registered activity kind (see the activity vocabulary)."""


def _to_duration(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected a duration such as 30d, 2h, 1w or 90m, got {value!r}")
    if not isinstance(value, str):
        raise ValueError(
            f"expected a duration with a unit such as 30d or 2h, got the bare number {value!r}"
        )
    return parse_duration(value)


Duration = Annotated[timedelta, BeforeValidator(_to_duration), TypeLabel("duration")]
"""A length of time written with units: ``30d``, ``2h``, ``1w``, ``90m``, ``1h30m``."""


def _check_scalar(value: Any) -> Any:
    if not is_scalar(value):
        raise ValueError(
            "expected a value (text, a number, true or false); for several values use "
            f"{{in: [...]}}, got {value!r}"
        )
    return value


ScalarValue = Annotated[Any, AfterValidator(_check_scalar), TypeLabel("value")]
"""Text, a number, ``true`` or ``false``."""


def _check_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return value


Number = Annotated[Any, AfterValidator(_check_number), TypeLabel("number")]

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]


# -- where clauses --------------------------------------------------------------------------


class Operators(PlaybookModel):
    """Operators on one property; all given operators must hold."""

    in_: list[ScalarValue] | None = Field(
        default=None, alias="in", description=OPERATORS["in"], min_length=1
    )
    not_in: list[ScalarValue] | None = Field(
        default=None, description=OPERATORS["not_in"], min_length=1
    )
    ne: ScalarValue | None = Field(default=None, description=OPERATORS["ne"])
    gt: Number | None = Field(default=None, description=OPERATORS["gt"])
    gte: Number | None = Field(default=None, description=OPERATORS["gte"])
    lt: Number | None = Field(default=None, description=OPERATORS["lt"])
    lte: Number | None = Field(default=None, description=OPERATORS["lte"])
    exists: bool | None = Field(default=None, description=OPERATORS["exists"])
    contains: ScalarValue | None = Field(default=None, description=OPERATORS["contains"])

    @model_validator(mode="after")
    def _at_least_one(self) -> Operators:
        if not self.model_fields_set:
            raise ValueError(f"expected at least one operator: {', '.join(OPERATORS)}")
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                op = type(self).model_fields[name].alias or name
                raise ValueError(f"{op}: expected a value, not null")
        return self

    def as_clause(self) -> dict[str, Any]:
        """The operators as plain data (``{"in": [...], "gte": 3}``), as given."""
        clause = self.model_dump(by_alias=True, exclude_unset=True)
        check_operators("", clause)
        return clause


def _where_tag(value: Any) -> str:
    return "operators" if isinstance(value, dict | Operators) else "value"


Condition = Annotated[
    Annotated[ScalarValue, Tag("value")] | Annotated[Operators, Tag("operators")],
    Discriminator(_where_tag),
    TypeLabel("condition"),
]
"""A value (equality) or a mapping of operators."""


class When(PlaybookModel):
    """Which activities something applies to: their kinds and conditions on their properties."""

    kind: list[KindName] = Field(
        min_length=1,
        description="Activity kind, or a list of kinds (any of them).",
    )
    where: dict[str, Condition] = Field(
        default_factory=dict,
        description="Conditions on the activity's properties, all of which must hold; the "
        "special keys " + ", ".join(f"`{k}`" for k in SPECIAL_KEYS) + " test the activity "
        "itself. See *Where clauses*.",
    )
    actor_is_owner: bool | None = Field(
        default=None,
        description="true: only activities whose actor is also the target's owner (answering "
        "one's own question); false: only those where they differ; null: either.",
    )

    @field_validator("kind", mode="before")
    @classmethod
    def _one_kind(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def where_clause(self) -> dict[str, Any]:
        """The ``where`` conditions as plain data, for :func:`conditions.compile_where`."""
        return {
            key: spec.as_clause() if isinstance(spec, Operators) else spec
            for key, spec in self.where.items()
        }

    def predicate(self) -> Predicate:
        """The ``where`` conditions compiled (call once, keep the result: it is the fast path).

        Kinds and ``actor_is_owner`` are not part of it: the engine indexes rules by kind and
        knows the members behind the actor and the target owner.
        """
        return compile_where(self.where_clause())


Role = Literal["actor", "target_owner"]


class Match(When):
    """Activities that count for a member, and which member they count for."""

    role: Role = Field(
        default="actor",
        description="Whose count it is: `actor` (who did it) or `target_owner` (whose post, "
        "issue or thread it was done to: the author of a voted answer, the reporter of a "
        "labelled issue).",
    )


ItemKey = Annotated[str, StringConstraints(min_length=1), TypeLabel("item key")]
"""``target_id`` (the activity's target) or the name of a property holding an id."""
