"""Targets: each metric against its target, with a green, amber or red status.

A :class:`Target` names a metric by its dotted path in the metrics report
(``time_to_first_response.median_hours``, ``members.weekly_active.share``...), a comparison and
a value. A *growth-stage* target also names a month after launch (``month=3``) and a series of
the growth-stage table (``stages.discord_members``). The numbers come from the playbook; until
playbooks carry them, :mod:`hearth.domain.metrics.defaults` holds the Phoenix and Atlas ones.

Status:

- **green**: the target is met;
- **amber**: missed, but by no more than the target's ``amber`` threshold (by default 20% of
  the target's value: a target of "under 2 hours" is amber up to 2.4 hours);
- **red**: missed by more;
- **unknown**: the metric has no value (no threads, no answers, not measured yet);
- **pending**: a growth-stage month that has not ended yet.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Comparison = Literal["<", "<=", ">", ">="]
Status = Literal["green", "amber", "red", "unknown", "pending"]
STAGES = "stages."
DEFAULT_AMBER_MARGIN = 0.2

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True, slots=True)
class Target:
    """A target for one metric (see the module docstring)."""

    metric: str
    op: Comparison
    value: float
    amber: float | None = None
    month: int | None = None

    def __post_init__(self) -> None:
        if self.op not in _OPERATORS:
            raise ValueError(f"unknown comparison {self.op!r}; expected <, <=, > or >=")
        if self.month is not None and (self.month < 1 or not self.metric.startswith(STAGES)):
            raise ValueError("a month is for growth-stage targets (stages.<series>), from 1")

    @property
    def lower_is_better(self) -> bool:
        return self.op in ("<", "<=")

    @property
    def amber_threshold(self) -> float:
        """The worst value that is still amber."""
        if self.amber is not None:
            return self.amber
        margin = abs(self.value) * DEFAULT_AMBER_MARGIN
        return self.value + margin if self.lower_is_better else self.value - margin

    def status(self, actual: float | None) -> Status:
        """The status of ``actual`` against this target."""
        if actual is None:
            return "unknown"
        if _OPERATORS[self.op](actual, self.value):
            return "green"
        if self.lower_is_better:
            return "amber" if actual <= self.amber_threshold else "red"
        return "amber" if actual >= self.amber_threshold else "red"


@dataclass(frozen=True, slots=True)
class TargetSet:
    """The targets of one community (one playbook)."""

    name: str
    targets: tuple[Target, ...]


@dataclass(frozen=True, slots=True)
class TargetResult:
    target: Target
    actual: float | None
    status: Status

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.target.metric,
            "month": self.target.month,
            "op": self.target.op,
            "target": self.target.value,
            "amber": self.target.amber_threshold,
            "actual": self.actual,
            "status": self.status,
        }


def lookup(metrics: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of nested mappings, or None when any part is missing."""
    value: Any = metrics
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def evaluate_targets(targets: Iterable[Target], metrics: Mapping[str, Any]) -> list[TargetResult]:
    """Each target with the metric's actual value and its status.

    Growth-stage targets read ``metrics["growth_stages"]``: ``series`` (a list per series,
    month 1 first) and ``complete`` (how many months after launch have ended).
    """
    stages = metrics.get("growth_stages") or {}
    series: Mapping[str, Sequence[Any] | None] = stages.get("series") or {}
    complete = int(stages.get("complete") or 0)
    results = []
    for target in targets:
        if target.month is None:
            actual = _number(lookup(metrics, target.metric))
            results.append(TargetResult(target, actual, target.status(actual)))
            continue
        if target.month > complete:
            results.append(TargetResult(target, None, "pending"))
            continue
        values = series.get(target.metric.removeprefix(STAGES))
        actual = _number(values[target.month - 1]) if values else None
        results.append(TargetResult(target, actual, target.status(actual)))
    return results
