"""What a playbook change would do: tiers, achievements, points and leaderboards compared."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hearth.domain.rules.derivation import Derivation
from hearth.i18n import _


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

    def _who(self, member_id: int) -> str:
        name = self.names.get(member_id)
        return f"{name} ({member_id})" if name else str(member_id)

    def render(self, limit: int = 20) -> str:
        """The diff as text for a terminal."""
        if self.empty:
            return _("No member's tier, achievements, points or leaderboard place would change.")
        lines: list[str] = []
        if self.tiers:
            lines.append(_("Tiers ({n} members):").format(n=len(self.tiers)))
            for change in self.tiers[:limit]:
                lines.append(
                    f"  {self._who(change.member_id)}: {change.before or '—'} → "
                    f"{change.after or '—'}"
                )
        for title, table, sign in (
            (_("Achievements gained:"), self.gained, "+"),
            (_("Achievements lost:"), self.lost, "−"),
        ):
            if table:
                lines.append(title)
                for key, who in sorted(table.items()):
                    names = ", ".join(self._who(m) for m in who[:limit])
                    more = f" … (+{len(who) - limit})" if len(who) > limit else ""
                    lines.append(f"  {sign} {key}: {len(who)} — {names}{more}")
        if self.points:
            lines.append(_("Points ({n} members; largest changes):").format(n=len(self.points)))
            for change in self.points[:limit]:
                before, after = int(change.before or 0), int(change.after or 0)
                lines.append(
                    f"  {self._who(change.member_id)}: {before:,} → {after:,} ({after - before:+,})"
                )
        for move in self.boards:
            lines.append(
                _("Leaderboard {board} ({window}):").format(board=move.board, window=move.window)
            )
            for place in range(max(len(move.before), len(move.after))):
                b = move.before[place] if place < len(move.before) else None
                a = move.after[place] if place < len(move.after) else None
                if a != b:
                    lines.append(f"  #{place + 1}: {self._label(b)} → {self._label(a)}")
        return "\n".join(lines)

    def _label(self, subject: int | str | None) -> str:
        if subject is None:
            return "—"
        return self._who(subject) if isinstance(subject, int) else subject


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
