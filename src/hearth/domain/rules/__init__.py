"""The rules engine: a playbook folded over the ledger into points, awards, help and tiers.

Pure. See ``docs/design/rules-engine.md`` for the design and ``docs/playbook.md`` for what a
playbook can say.
"""

from __future__ import annotations

from hearth.domain.rules.derivation import Collected, Derivation, derive, excluded
from hearth.domain.rules.facts import Fact, MemberFlags, day_of, to_datetime, to_seconds
from hearth.domain.rules.fold import Award, Changes, Fold, Help
from hearth.domain.rules.tiers import Standing, TierPlan, current_tier, progress, standing
from hearth.domain.rules.windows import Place, day_date, day_number, rank, window_days

__all__ = [
    "Award",
    "Changes",
    "Collected",
    "Derivation",
    "Fact",
    "Fold",
    "Help",
    "MemberFlags",
    "Place",
    "Standing",
    "TierPlan",
    "current_tier",
    "day_date",
    "day_number",
    "day_of",
    "derive",
    "excluded",
    "progress",
    "rank",
    "standing",
    "to_datetime",
    "to_seconds",
    "window_days",
]
