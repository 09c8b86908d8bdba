"""The fold's state per member and per tier run: plain, picklable containers."""

from __future__ import annotations

from typing import Any


class MemberState:
    """Everything the fold knows about one member."""

    __slots__ = (
        "awarded",
        "banned_until",
        "bot",
        "breakdown",
        "cap_day",
        "confirmed",
        "counts",
        "days",
        "dirty",
        "gained",
        "gains",
        "helped",
        "joined",
        "joined_on",
        "last_paid",
        "manual_tiers",
        "seen",
        "total",
        "tracks",
    )

    def __init__(self, starting_balance: int) -> None:
        self.total = starting_balance
        self.breakdown: dict[str, list[int]] = {}  # rule -> [points, times paid]
        self.last_paid: dict[str, float] = {}
        self.cap_day: dict[str, list[Any]] = {}  # group -> [day, total that day]
        self.counts: dict[int, Any] = {}  # counter -> int | set | list[time] | {item: time}
        self.helped: dict[int, dict[int, float]] = {}  # via filter -> {helped: last time}
        self.joined: float | None = None
        self.joined_on: dict[str, float] = {}
        self.days: dict[str, dict[int, bool]] = {}  # platform ("" = any) -> active UTC days
        self.awarded: dict[str, float] = {}  # achievement (once per member) -> time
        self.gained: dict[str, int] = {}  # points_within achievement -> points in window
        self.gains: list[tuple[float, int]] | None = None  # (time, points), for windows
        self.confirmed: dict[str, float] = {}  # manual requirement -> time confirmed
        self.manual_tiers: dict[str, float] = {}  # manual tier -> time granted
        self.tracks: dict[str, TierTrack] = {}
        self.seen: float | None = None  # the last activity that concerned the member
        self.dirty = False  # tier requirements must be re-evaluated after this activity
        self.bot = False  # bots earn no achievements and hold no tiers
        self.banned_until: float | None = None  # inf: banned for good; None: not banned

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)


class TierTrack:
    """A member's history with one tier, enough to say at any later moment whether they hold it.

    ``since`` is the start of the current or last run of holding the tier (None: never held);
    ``first`` the start of the first run ever (the onboarding funnel's "became a champion").
    ``end`` is when the last qualifying stretch ended (None while it is open). ``start``/
    ``until`` is when the member qualifies given what the fold has seen so far (a tenure
    requirement starts later; a windowed one lapses), valid from ``evaluated`` on.
    """

    __slots__ = ("end", "evaluated", "first", "since", "start", "until")

    def __init__(self) -> None:
        self.first: float | None = None
        self.since: float | None = None
        self.end: float | None = None
        self.start: float = float("inf")
        self.until: float = float("inf")
        self.evaluated: float = float("-inf")

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.since, self.end, self.start, self.until, self.evaluated, self.first)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.since, self.end, self.start, self.until, self.evaluated, self.first = state

    @property
    def qualifying(self) -> bool:
        """Whether the interval is non-empty."""
        return self.start < self.until

    def advance(self, now: float, grace: float) -> None:
        """Account for the stretch from ``evaluated`` to ``now`` under the current interval."""
        if now <= self.evaluated:
            return
        begin = max(self.start, self.evaluated)
        finish = min(self.until, now)
        was_open = self.since is not None and self.end is None
        continues = was_open and begin < finish and begin <= self.evaluated
        if was_open and not continues:
            self.end = self.evaluated  # the open stretch closed at the last evaluation
        if begin < finish:
            if not continues:
                end = self.end
                broke = end is None or (begin - end >= grace if grace > 0 else begin > end)
                if self.since is None or broke:
                    self.since = begin
                    if self.first is None:
                        self.first = begin
            self.end = None if self.until > now else finish
        self.evaluated = now

    def status(self, now: float, grace: float) -> tuple[bool, float | None, float | None]:
        """``(held, since, grace_until)`` at ``now`` (not before ``evaluated``), without changing
        the track."""
        probe = TierTrack()
        probe.since, probe.end = self.since, self.end
        probe.start, probe.until, probe.evaluated = self.start, self.until, self.evaluated
        probe.advance(now, grace)
        if probe.since is None:
            return False, None, None
        if probe.end is None:
            return True, probe.since, None
        if grace > 0 and now < probe.end + grace:
            return True, probe.since, probe.end + grace
        return False, None, None
