"""Net Promoter Score from survey answers (0 to 10).

Promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6. The score is the percentage of
promoters minus the percentage of detractors, from -100 to 100. Answers in the period count;
when a member answered more than once in it, only their latest answer counts (anonymous
answers each count). Bots and staff do not matter here: anyone asked may answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hearth.domain.metrics.common import Period, rounded

MIN_SCORE = 0
MAX_SCORE = 10


def valid_score(score: int) -> bool:
    return isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= 10


@dataclass(frozen=True, slots=True)
class NpsAnswer:
    """One survey answer."""

    score: int
    answered_at: datetime
    member_id: int | None = None


def nps(answers: Iterable[NpsAnswer], period: Period) -> dict[str, Any]:
    """Counts of promoters, passives and detractors, and the score (None without answers)."""
    latest: dict[int, NpsAnswer] = {}
    anonymous: list[NpsAnswer] = []
    for answer in answers:
        if answer.answered_at not in period:
            continue
        if answer.member_id is None:
            anonymous.append(answer)
            continue
        kept = latest.get(answer.member_id)
        if kept is None or answer.answered_at >= kept.answered_at:
            latest[answer.member_id] = answer
    scores = [a.score for a in anonymous] + [a.score for a in latest.values()]
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    total = len(scores)
    return {
        "answers": total,
        "promoters": promoters,
        "passives": total - promoters - detractors,
        "detractors": detractors,
        "score": rounded(100.0 * (promoters - detractors) / total, 2) if total else None,
    }
