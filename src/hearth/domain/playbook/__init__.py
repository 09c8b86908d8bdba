"""Playbooks as data: the schema, ``where`` clauses, durations and amounts.

Pure: plain data in, validated models and compiled closures out. Reading YAML files with
line and column numbers lives outside the domain, in :mod:`hearth.playbooks`.
"""

from __future__ import annotations

from hearth.domain.playbook.amounts import compile_amount, resolve_amount
from hearth.domain.playbook.conditions import Predicate, compile_where
from hearth.domain.playbook.durations import format_duration, parse_duration
from hearth.domain.playbook.schema import (
    Achievement,
    HelpRule,
    Leaderboard,
    Playbook,
    PlaybookInvalid,
    Problem,
    Requirement,
    Rule,
    Tier,
    parse_playbook,
    reference_problems,
    rolling_window,
)

__all__ = [
    "Achievement",
    "HelpRule",
    "Leaderboard",
    "Playbook",
    "PlaybookInvalid",
    "Predicate",
    "Problem",
    "Requirement",
    "Rule",
    "Tier",
    "compile_amount",
    "compile_where",
    "format_duration",
    "parse_duration",
    "parse_playbook",
    "reference_problems",
    "resolve_amount",
    "rolling_window",
]
