"""A whole derivation in memory: for previews (``hearth playbook diff``) and for tests.

The database path (``actions/derive.py``) stores the same changes in tables instead; both come
from the one :class:`~hearth.domain.rules.fold.Fold`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from hearth.domain.playbook import Playbook
from hearth.domain.playbook.schema import CountMeasure, HelpedMeasure, Leaderboard, PointsMeasure
from hearth.domain.rules.facts import Fact, MemberFlags, to_datetime, to_seconds
from hearth.domain.rules.fold import Award, Changes, Fold, Help
from hearth.domain.rules.tiers import Standing, current_tier
from hearth.domain.rules.windows import Place, day_number, rank, window_days

DRAIN_EVERY = 50_000


@dataclass(slots=True)
class Collected:
    """Every change of a fold, accumulated."""

    awards: dict[tuple[int, str, str], Award] = field(default_factory=dict)
    helps: list[Help] = field(default_factory=list)
    daily: dict[tuple[int, str, int], tuple[int, float]] = field(default_factory=dict)
    tallies: dict[tuple[str, str, int], tuple[int, float]] = field(default_factory=dict)

    def absorb(self, changes: Changes) -> None:
        for award in changes.awards:
            self.awards.setdefault((award.member_id, award.achievement, award.item), award)
        for member_id, key in changes.revoked:
            self.awards.pop((member_id, key, ""), None)
        self.helps.extend(changes.helps)
        for daily_key, row in changes.daily.items():
            self.daily[daily_key] = (row[0], row[1])
        for tally_key, row in changes.tallies.items():
            self.tallies[tally_key] = (row[0], row[1])


@dataclass(slots=True)
class Derivation:
    fold: Fold
    as_of: datetime
    collected: Collected

    @property
    def members(self) -> Iterable[int]:
        return self.fold.members.keys()

    def points(self, member_id: int) -> int:
        ms = self.fold.members.get(member_id)
        return self.fold.c.starting_balance if ms is None else ms.total

    def breakdown(self, member_id: int) -> dict[str, list[int]]:
        ms = self.fold.members.get(member_id)
        return {} if ms is None else dict(ms.breakdown)

    def awards_of(self, member_id: int) -> list[Award]:
        return sorted(
            (a for a in self.collected.awards.values() if a.member_id == member_id),
            key=lambda a: (a.awarded_at, a.achievement, a.item),
        )

    def tier(self, member_id: int) -> Standing | None:
        ms = self.fold.members.get(member_id)
        if ms is None:
            return None
        return current_tier(self.fold.tiers, ms.tracks, to_seconds(self.as_of))

    def leaderboard(self, key: str, window: str, size: int | None = None) -> list[Place]:
        board = self.fold.playbook.leaderboard(key)
        if board is None:
            raise KeyError(key)
        now = to_seconds(self.as_of)
        banned = {
            m
            for m, ms in self.fold.members.items()
            if ms.banned_until is not None and now < ms.banned_until
        }
        return leaderboard_in_memory(
            board,
            window,
            self.as_of,
            self.collected,
            self.fold.flags,
            size or board.size,
            banned=banned,
        )


def derive(
    playbook: Playbook,
    facts: Iterable[Fact],
    *,
    flags: Mapping[int, MemberFlags] | None = None,
    as_of: datetime | None = None,
) -> Derivation:
    """Fold ``facts`` (in key order) with ``playbook``, keeping every result in memory."""
    fold = Fold(playbook, dict(flags or {}))
    for member_id in flags or {}:
        fold.add_member(member_id)
    collected = Collected()
    for count, fact in enumerate(facts, start=1):
        fold.feed(fact)
        if count % DRAIN_EVERY == 0:
            collected.absorb(fold.drain())
    collected.absorb(fold.drain())
    if as_of is None:
        as_of = to_datetime(fold.last_key[0]) if fold.last_key else datetime.now().astimezone()
    return Derivation(fold, as_of, collected)


def excluded(flags: MemberFlags | None, include_staff: bool) -> bool:
    """Whether a leaderboard leaves this member out (bots always; staff unless included)."""
    if flags is None:
        return False
    return flags.is_bot or (flags.is_staff and not include_staff)


def leaderboard_in_memory(
    board: Leaderboard,
    window: str,
    as_of: datetime,
    collected: Collected,
    flags: Mapping[int, MemberFlags],
    size: int,
    *,
    banned: set[int] | frozenset[int] = frozenset(),
) -> list[Place]:
    first, last = window_days(window, as_of)
    lo = day_number(first) if first is not None else None
    hi = day_number(last)
    totals: dict[str, list[float]] = {}
    measure = board.measure

    def add(subject: str, value: int, at: float) -> None:
        entry = totals.setdefault(subject, [0, at])
        entry[0] += value
        entry[1] = max(entry[1], at)

    if isinstance(measure, PointsMeasure):
        rules = set(measure.rules) if measure.rules else None
        for (member_id, rule, day), (amount, at) in collected.daily.items():
            if (lo is None or day >= lo) and day <= hi and (rules is None or rule in rules):
                add(f"m:{member_id}", amount, at)
    elif isinstance(measure, CountMeasure):
        for (key, subject, day), (value, at) in collected.tallies.items():
            if key == board.key and (lo is None or day >= lo) and day <= hi:
                add(subject, value, at)
    else:
        assert isinstance(measure, HelpedMeasure)
        via = set(measure.via) if measure.via else None
        firsts: dict[tuple[int, int], float] = {}
        for help_ in collected.helps:
            day = int(help_.at // 86_400)
            if (lo is None or day >= lo) and day <= hi and (via is None or help_.via in via):
                pair = (help_.helper, help_.helped)
                firsts.setdefault(pair, help_.at)
        for (helper, _), at in firsts.items():
            add(f"m:{helper}", 1, at)
    rows = []
    for subject, (total, reached) in totals.items():
        if subject.startswith("m:") and (
            excluded(flags.get(int(subject[2:])), board.include_staff) or int(subject[2:]) in banned
        ):
            continue
        rows.append((subject, int(total), to_datetime(reached)))
    return rank(rows, size)
