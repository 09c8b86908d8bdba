"""Voting: suggestion tallies, poll results and contest rankings, as plain functions.

Pure (standard library only): the actions read votes from the store and hand them here.

- A suggestion's **score** is its up-votes minus its down-votes (Stack Exchange's rule). Each
  voter holds at most one vote on a suggestion, ``+1`` or ``-1``; changing it replaces it.
- Merging a duplicate into a suggestion carries its votes over, except a voter who already
  voted on the suggestion kept: that voter's vote there stands (no double votes).
- A **poll**'s result counts one vote per voter per poll; options with the most votes win
  (several on a tie; none without votes).
- **One person, one vote**: members that staff merged into one are one person; where each of
  them voted before the merge, the person's latest vote is the one counted
  (:func:`one_per_person`), and a vote the person casts after replaces all of theirs.
- A **contest** ranks the suggestions posted within it by score, then by who posted first,
  then by id, and gives place ``n`` to the ``n``-th; entries below ``min_score`` win nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)

UP = 1
DOWN = -1
VOTE_VALUES = (UP, DOWN)

OPEN = "open"
PLANNED = "planned"
IN_PROGRESS = "in_progress"
DONE = "done"
DECLINED = "declined"
STATUSES = (OPEN, PLANNED, IN_PROGRESS, DONE, DECLINED)
ROADMAP_STATUSES = (PLANNED, IN_PROGRESS, DONE)
"""What the public roadmap shows, in its column order."""


def is_status(value: str) -> bool:
    return value in STATUSES


@dataclass(frozen=True, slots=True)
class Tally:
    """The votes on one suggestion."""

    up: int = 0
    down: int = 0

    @property
    def score(self) -> int:
        return self.up - self.down

    @property
    def votes(self) -> int:
        return self.up + self.down


def tally(values: Iterable[int]) -> Tally:
    """The tally of vote ``values`` (each ``+1`` or ``-1``; anything else is refused)."""
    up = down = 0
    for value in values:
        if value == UP:
            up += 1
        elif value == DOWN:
            down += 1
        else:
            raise ValueError(f"a vote is +1 or -1, not {value!r}")
    return Tally(up, down)


def one_per_person(
    votes: Iterable[tuple[Item, Hashable | None, datetime, int]],
) -> list[tuple[Item, int]]:
    """``(item, value)`` of each person's latest vote on each item, from votes given as
    ``(item, person, at, value)``; votes of no known person (``None``: an erased member's,
    kept anonymous) all count. Ties on ``at`` go to the vote given later in ``votes``."""
    latest: dict[tuple[Item, Hashable], tuple[datetime, int]] = {}
    counted: list[tuple[Item, int]] = []
    for item, person, at, value in votes:
        if person is None:
            counted.append((item, value))
            continue
        known = latest.get((item, person))
        if known is None or at >= known[0]:
            latest[(item, person)] = (at, value)
    counted.extend((item, value) for (item, _person), (_at, value) in latest.items())
    return counted


@dataclass(frozen=True, slots=True)
class VoteMove:
    """What merging does with the duplicate's votes: voters whose vote moves to the kept
    suggestion, and voters whose vote is dropped because they already voted there."""

    moved: tuple[str, ...]
    dropped: tuple[str, ...]


def merge_votes(kept_voters: Iterable[str], duplicate_voters: Iterable[str]) -> VoteMove:
    """Which of the duplicate's voters carry their vote over to the kept suggestion."""
    kept = set(kept_voters)
    moved: list[str] = []
    dropped: list[str] = []
    for voter in duplicate_voters:
        (dropped if voter in kept else moved).append(voter)
    return VoteMove(tuple(moved), tuple(dropped))


# -- polls -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionResult:
    """One option of a closed (or running) poll."""

    index: int
    label: str
    votes: int
    percent: float
    winner: bool


def poll_results(options: list[str], choices: Iterable[int]) -> list[OptionResult]:
    """The result of a poll with ``options`` whose voters chose ``choices`` (option indexes,
    one per voter). Indexes outside the options are refused."""
    counts = [0] * len(options)
    for choice in choices:
        if not 0 <= choice < len(options):
            raise ValueError(f"no option {choice} in a poll of {len(options)}")
        counts[choice] += 1
    total = sum(counts)
    best = max(counts, default=0)
    return [
        OptionResult(
            index=i,
            label=label,
            votes=counts[i],
            percent=round(100 * counts[i] / total, 1) if total else 0.0,
            winner=best > 0 and counts[i] == best,
        )
        for i, label in enumerate(options)
    ]


# -- contests ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """A suggestion taking part in a contest."""

    suggestion_id: int
    author_member_id: int | None
    posted_at: datetime
    score: int


@dataclass(frozen=True, slots=True)
class Placement:
    place: int
    entry: Entry


def in_window(posted_at: datetime, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether a suggestion posted at ``posted_at`` takes part in a contest (start included,
    end excluded)."""
    return starts_at <= posted_at < ends_at


def rank_contest(entries: Iterable[Entry], places: int, *, min_score: int = 1) -> list[Placement]:
    """The first ``places`` entries by score (then the earlier post, then the lower id).
    Entries without an author (erased) or below ``min_score`` do not place."""
    eligible = [e for e in entries if e.author_member_id is not None and e.score >= min_score]
    eligible.sort(key=lambda e: (-e.score, e.posted_at, e.suggestion_id))
    return [Placement(place, entry) for place, entry in enumerate(eligible[:places], start=1)]
