"""``where`` clauses: conditions on an activity's properties, compiled once into closures.

A clause maps a property name to either a value (equality) or a mapping of operators, all of
which must hold::

    where:
      channel: {contains: quick-help}     # substring of a text, or member of a list
      vote_type: up                       # equality
      score: {gte: 10, lt: 100}           # numbers only
      labels: {contains: bug}
      self_accept: {ne: true}             # a missing property is "not equal"
      platform: discord                   # special key: the activity's platform

Every property in a clause must hold (AND). The special keys ``platform`` and ``target_type``
test the activity's own columns rather than its properties. Compilation happens once per
playbook; the resulting :data:`Predicate` is a plain function the rules engine calls for each
activity, so evaluation does no parsing and no allocation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

SPECIAL_KEYS: dict[str, str] = {
    "platform": "the activity's platform (discord, github, stackexchange...)",
    "target_type": "the type of the activity's target (post, thread, issue, channel...)",
}

OPERATORS: dict[str, str] = {
    "in": "the value is one of the listed values",
    "not_in": "the value is none of the listed values (a missing property is not in the list)",
    "ne": "the value differs from this one (a missing property differs)",
    "gt": "the value is a number greater than this one",
    "gte": "the value is a number greater than or equal to this one",
    "lt": "the value is a number less than this one",
    "lte": "the value is a number less than or equal to this one",
    "exists": "true: the property is present and not null; false: it is missing or null",
    "contains": "the value is a list holding this item, or a text containing this text",
}
_NUMERIC = ("gt", "gte", "lt", "lte")
_MISSING: Any = object()

Test = Callable[[Any], bool]


class Predicate(Protocol):
    """A compiled ``where`` clause: does an activity with these properties match?"""

    def __call__(
        self,
        properties: Mapping[str, Any],
        platform: str | None = None,
        target_type: str | None = None,
    ) -> bool: ...


def is_scalar(value: object) -> bool:
    """Whether ``value`` may stand in a clause: text, a number or a boolean."""
    return isinstance(value, str | int | float | bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(actual: Any, expected: Any) -> bool:
    # True == 1 in Python; a clause saying `true` must not match the number 1.
    return (
        actual is not _MISSING
        and isinstance(actual, bool) == isinstance(expected, bool)
        and actual == expected
    )


def check_clause(where: Mapping[str, Any]) -> None:
    """Raise :class:`ValueError` naming the first malformed condition of ``where``."""
    for key, spec in where.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"expected a property name, got {key!r}")
        if isinstance(spec, Mapping):
            check_operators(key, spec)
        elif not is_scalar(spec):
            raise ValueError(
                f"{key}: expected a value (text, number, true or false) or operators such as "
                f"{{in: [...]}}, got {spec!r}"
            )


def check_operators(key: str, ops: Mapping[str, Any]) -> None:
    """Raise :class:`ValueError` if ``ops`` is not a valid operator mapping for ``key``."""
    if not ops:
        raise ValueError(f"{key}: expected at least one operator: {', '.join(OPERATORS)}")
    for op, operand in ops.items():
        if op not in OPERATORS:
            raise ValueError(
                f"{key}: unknown operator {op!r}; expected one of {', '.join(OPERATORS)}"
            )
        if op in ("in", "not_in"):
            if not isinstance(operand, list | tuple) or not all(is_scalar(v) for v in operand):
                raise ValueError(f"{key}.{op}: expected a list of values, got {operand!r}")
        elif op in _NUMERIC:
            if not _is_number(operand):
                raise ValueError(f"{key}.{op}: expected a number, got {operand!r}")
        elif op == "exists":
            if not isinstance(operand, bool):
                raise ValueError(f"{key}.exists: expected true or false, got {operand!r}")
        elif not is_scalar(operand):
            raise ValueError(f"{key}.{op}: expected a value, got {operand!r}")


def _operator_test(op: str, operand: Any) -> Test:
    if op in ("in", "not_in") and all(isinstance(o, str) for o in operand):
        # Text only ever equals text: a set lookup is exact (and much faster).
        texts = frozenset(operand)
        if op == "in":
            return lambda v: isinstance(v, str) and v in texts
        return lambda v: not (isinstance(v, str) and v in texts)
    if op == "in":
        options = tuple(operand)
        return lambda v: any(_same(v, o) for o in options)
    if op == "not_in":
        options = tuple(operand)
        return lambda v: not any(_same(v, o) for o in options)
    if op == "ne":
        return lambda v: not _same(v, operand)
    if op == "gt":
        return lambda v: _is_number(v) and v > operand
    if op == "gte":
        return lambda v: _is_number(v) and v >= operand
    if op == "lt":
        return lambda v: _is_number(v) and v < operand
    if op == "lte":
        return lambda v: _is_number(v) and v <= operand
    if op == "exists":
        if operand:
            return lambda v: v is not _MISSING and v is not None
        return lambda v: v is _MISSING or v is None

    # contains
    def contains(v: Any) -> bool:
        if isinstance(v, str):
            return isinstance(operand, str) and operand in v
        if isinstance(v, list | tuple | set | frozenset):
            return any(_same(item, operand) for item in v)
        return False

    return contains


def compile_condition(spec: Any) -> Test:
    """A test of one property's value (``_MISSING`` when absent) for a value or operators."""
    if isinstance(spec, Mapping):
        tests = [_operator_test(op, operand) for op, operand in spec.items()]
        if len(tests) == 1:
            return tests[0]
        return lambda v: all(test(v) for test in tests)
    if isinstance(spec, str):
        return lambda v: v == spec  # only the same text equals a text
    return lambda v: _same(v, spec)


def compile_where(where: Mapping[str, Any] | None) -> Predicate:
    """Compile a ``where`` clause (plain data) into a :class:`Predicate`; validates it first."""
    where = where or {}
    check_clause(where)
    checks = [(key, compile_condition(spec)) for key, spec in where.items()]
    on_platform = [test for key, test in checks if key == "platform"]
    on_target_type = [test for key, test in checks if key == "target_type"]
    on_properties = [(key, test) for key, test in checks if key not in SPECIAL_KEYS]

    def predicate(
        properties: Mapping[str, Any],
        platform: str | None = None,
        target_type: str | None = None,
    ) -> bool:
        for test in on_platform:
            if not test(_MISSING if platform is None else platform):
                return False
        for test in on_target_type:
            if not test(_MISSING if target_type is None else target_type):
                return False
        get = properties.get
        for key, test in on_properties:  # noqa: SIM110 (a loop is faster than all() here)
            if not test(get(key, _MISSING)):
                return False
        return True

    return predicate
