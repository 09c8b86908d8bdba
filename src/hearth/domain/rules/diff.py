"""What a playbook change would do: tiers, achievements, points and leaderboards compared."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hearth.domain.rules.derivation import Derivation


@dataclass(frozen=True, slots=True)
class Change:
    member_id: int
    before: str | int | None
    after: str | int | None


@dataclass(slots=True)
class BoardMove:
    board: str
    window: str
    before: list[int | str]  # subjects in order
    after: list[int | str]


@dataclass(slots=True)
class PlaybookDiff:
    as_of: datetime
    tiers: list[Change] = field(default_factory=list)
    gained: dict[str, list[int]] = field(default_factory=dict)  # achievement -> members
    lost: dict[str, list[int]] = field(default_factory=dict)
    points: list[Change] = field(default_factory=list)
    boards: list[BoardMove] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.tiers or self.gained or self.lost or self.points or self.boards)

    def who(self, member_id: int) -> str:
        """A member's name and id, for listings."""
        name = self.names.get(member_id)
        return f"{name} ({member_id})" if name else str(member_id)

    def label(self, subject: int | str | None) -> str:
        """A leaderboard subject (a member id or a target) for listings."""
        if subject is None:
            return "—"
        return self.who(subject) if isinstance(subject, int) else subject


def compare(old: Derivation, new: Derivation) -> PlaybookDiff:
    """Compare two derivations of the same ledger (at the same moment)."""
    diff = PlaybookDiff(as_of=new.as_of)
    members = sorted(set(old.members) | set(new.members))
    for member_id in members:
        held_before, held_after = old.tier(member_id), new.tier(member_id)
        b = held_before.tier if held_before else None
        a = held_after.tier if held_after else None
        if a != b:
            diff.tiers.append(Change(member_id, b, a))
        pb, pa = old.points(member_id), new.points(member_id)
        if pb != pa:
            diff.points.append(Change(member_id, pb, pa))
    diff.points.sort(key=lambda c: (-abs(int(c.after or 0) - int(c.before or 0)), c.member_id))
    old_awards = {(a.member_id, a.achievement) for a in old.collected.awards.values()}
    new_awards = {(a.member_id, a.achievement) for a in new.collected.awards.values()}
    for member_id, key in sorted(new_awards - old_awards):
        diff.gained.setdefault(key, []).append(member_id)
    for member_id, key in sorted(old_awards - new_awards):
        diff.lost.setdefault(key, []).append(member_id)
    old_boards = {b.key: b for b in old.fold.playbook.leaderboards}
    for board in new.fold.playbook.leaderboards:
        windows = list(board.windows)
        if board.key in old_boards:
            windows += [w for w in old_boards[board.key].windows if w not in windows]
        for window in windows:
            after = [_subject(p.subject) for p in new.leaderboard(board.key, window)]
            before = (
                [_subject(p.subject) for p in old.leaderboard(board.key, window)]
                if board.key in old_boards
                else []
            )
            if before != after:
                diff.boards.append(BoardMove(board.key, window, before, after))
    return diff


def _subject(subject: str) -> int | str:
    return int(subject[2:]) if subject.startswith("m:") else subject[2:]
