"""Amounts: how many points a rule pays, or how much an activity adds to an item's value.

An amount is a whole number (``10``, ``-2``) or read from the activity's properties::

    points: {from: severity, map: {low: 50, medium: 100, high: 250, critical: 500}, default: 50}
    points: {from: bounty_amount, negate: true}      # the property's own value, negated

With ``map``, the property's value is looked up in the table (``default`` when it is missing or
not listed). Without ``map``, the property's value itself is the amount when it is a whole
number (``default`` otherwise). ``None`` means "no amount": the rule pays nothing for that
activity, and a per-item value does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hearth.domain.playbook.points import AmountFrom

AmountFn = Callable[[Mapping[str, Any]], int | None]


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _lookup(table: Mapping[Any, int], value: Any) -> int | None:
    if value is None or isinstance(value, list | dict):
        return None
    for key, amount in table.items():
        # True == 1 in Python; a table keyed by `true` must not match the number 1.
        if isinstance(key, bool) == isinstance(value, bool) and key == value:
            return amount
    return None


def compile_amount(amount: int | AmountFrom) -> AmountFn:
    """Compile ``amount`` into a function of an activity's properties (``None``: no amount)."""
    if isinstance(amount, int):
        fixed = amount
        return lambda properties: fixed
    name = amount.from_
    default = amount.default
    sign = -1 if amount.negate else 1
    if amount.map is not None:
        table = dict(amount.map)

        def from_table(properties: Mapping[str, Any]) -> int | None:
            value = properties.get(name)
            # Text only ever equals text keys, so a plain lookup is safe (and fast).
            found = table.get(value) if isinstance(value, str) else _lookup(table, value)
            result = default if found is None else found
            return None if result is None else sign * result

        return from_table

    def from_value(properties: Mapping[str, Any]) -> int | None:
        found = _whole(properties.get(name))
        result = default if found is None else found
        return None if result is None else sign * result

    return from_value


def resolve_amount(amount: int | AmountFrom, properties: Mapping[str, Any]) -> int | None:
    """The amount for one activity's ``properties`` (compile once when calling often)."""
    return compile_amount(amount)(properties)
