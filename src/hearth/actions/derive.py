"""Keep the derived tables (points, awards, help, tiers, leaderboards) in step with the ledger.

Two entry points, one fold (``domain/rules``):

- :func:`do_rebuild` folds the whole ledger from scratch and replaces every derived row.
- :func:`do_catch_up` runs after each committed ingest: when every new activity comes after
  the last one folded (live traffic), the fold resumes from its saved state over just the new
  activities; when some come earlier (a backfill of history), or the playbook or a member
  changed (a merge, a flag, an erasure), it rebuilds. Either way the tables end up exactly as
  a rebuild would leave them (a property test checks this).

The fold's state is saved in ``derivation_state`` (a compressed checkpoint) every
``CHECKPOINT_EVERY`` activities and after every rebuild, and kept in process memory between
calls as a cache: any process can resume from the table, none depends on its memory.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, text, update

from hearth.domain.playbook import Playbook
from hearth.domain.rules import Collected, Fold, MemberFlags, progress
from hearth.domain.rules.facts import Fact, FactKey, to_seconds
from hearth.domain.rules.fold import Award, Changes, Help
from hearth.domain.rules.state import MemberState
from hearth.store import derived as store
from hearth.store.tables import (
    activities,
    awards,
    board_tallies,
    derivation_state,
    helps,
    member_points_daily,
    member_standing,
    member_tiers,
)

ENGINE_VERSION = "3"
"""Raised whenever the fold's meaning changes, so stored derivations are rebuilt."""
CHECKPOINT_EVERY = 100_000
DRAIN_EVERY = 50_000

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class DeriveReport:
    """What a derivation did."""

    mode: str  # "rebuild", "incremental" or "unchanged"
    reason: str
    activities: int  # activities folded by this call
    members: int  # members whose standing was written
    awards: int  # awards written (new)
    seconds: float


def playbook_digest(playbook: Playbook) -> str:
    """A fingerprint of the playbook's meaning (and of the engine's)."""
    data = ENGINE_VERSION + playbook.model_dump_json()
    return hashlib.sha256(data.encode()).hexdigest()


# -- the in-process cache of the running fold ---------------------------------------------------

_cache_lock = threading.Lock()
_cache: dict[str, tuple[int, str, Fold]] = {}


def _cache_key(conn: Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


def _remember(conn: Connection, generation: int, digest: str, fold: Fold) -> None:
    with _cache_lock:
        _cache[_cache_key(conn)] = (generation, digest, fold)


def _recall(conn: Connection, generation: int, digest: str) -> Fold | None:
    with _cache_lock:
        cached = _cache.get(_cache_key(conn))
    if cached is None or cached[0] != generation or cached[1] != digest:
        return None
    return cached[2]


def forget_cache() -> None:
    """Drop the in-process fold (tests use it to force resuming from the checkpoint)."""
    with _cache_lock:
        _cache.clear()


# -- invalidation -------------------------------------------------------------------------------


def invalidate(conn: Connection) -> None:
    """Mark the derivation stale (members merged, flagged or erased): the next catch-up
    rebuilds. Runs inside the caller's transaction."""
    conn.execute(update(derivation_state).values(stale=True))


# -- writing ------------------------------------------------------------------------------------


PERMANENT = datetime(9999, 12, 31, tzinfo=UTC)

# The columns each row builder below fills, in order.
STANDING_COLUMNS = (
    "member_id",
    "points",
    "breakdown",
    "progress",
    "evaluated_at",
    "banned_until",
)
TIER_COLUMNS = (
    "member_id",
    "tier",
    "since",
    "stretch_end",
    "qualifies_from",
    "qualifies_until",
    "evaluated_at",
    "qualifies",
    "first_since",
)
AWARD_COLUMNS = ("member_id", "achievement", "item", "awarded_at", "activity_id", "manual")
HELP_COLUMNS = ("helper_id", "helped_id", "at", "via", "activity_id")
DAILY_COLUMNS = ("member_id", "rule", "day", "amount", "last_at")
TALLY_COLUMNS = ("board", "subject", "day", "member_id", "value", "last_at")


def _standing_row(put: store.Encoders, fold: Fold, member_id: int, ms: MemberState) -> store.Row:
    # Progress is as of the member's own last activity, so that the row depends only on the
    # activities (incremental and rebuild write the same).
    now = ms.seen if ms.seen is not None else 0.0
    until = ms.banned_until
    return (
        member_id,
        ms.total,
        put.json({rule: {"points": p, "times": n} for rule, (p, n) in ms.breakdown.items()}),
        put.json(progress(fold.tiers, ms, now) if fold.tiers else []),
        put.time(ms.seen),
        put.moment(PERMANENT) if until == float("inf") else put.time(until),
    )


def _tier_rows(put: store.Encoders, member_id: int, ms: MemberState) -> Iterable[store.Row]:
    for tier, track in ms.tracks.items():
        yield (
            member_id,
            tier,
            put.time(track.since),
            put.time(track.end),
            put.time(track.start),
            put.time(track.until),
            put.time(track.evaluated),
            track.start < track.until,
            put.time(track.first),
        )


def _award_rows(put: store.Encoders, awarded: Iterable[Award]) -> Iterable[store.Row]:
    time = put.time
    for award in awarded:
        yield (
            award.member_id,
            award.achievement,
            award.item,
            time(award.awarded_at),
            award.activity_id,
            award.manual,
        )


def _help_rows(put: store.Encoders, helped: Iterable[Help]) -> Iterable[store.Row]:
    time = put.time
    for help_ in helped:
        yield (help_.helper, help_.helped, time(help_.at), help_.via, help_.activity_id)


def _daily_rows(put: store.Encoders, daily: dict[tuple[int, str, int], Any]) -> Iterable[store.Row]:
    time, day_of = put.time, put.day
    for (member_id, rule, day), (amount, last_at) in daily.items():
        yield (member_id, rule, day_of(day), amount, time(last_at))


def _tally_rows(
    put: store.Encoders, tallies: dict[tuple[str, str, int], Any]
) -> Iterable[store.Row]:
    time, day_of = put.time, put.day
    for (board, subject, day), (value, last_at) in tallies.items():
        member_id = int(subject[2:]) if subject.startswith("m:") else None
        yield (board, subject, day_of(day), member_id, value, time(last_at))


def _write_changes(conn: Connection, fold: Fold, changes: Changes) -> tuple[int, int]:
    put = store.encoders(conn)
    touched = sorted(m for m in changes.members if m in fold.members)
    store.upsert(
        conn,
        member_standing,
        STANDING_COLUMNS,
        (_standing_row(put, fold, m, fold.members[m]) for m in touched),
        ["member_id"],
    )
    if fold.tiers and touched:
        for start in range(0, len(touched), 500):
            chunk = touched[start : start + 500]
            conn.execute(delete(member_tiers).where(member_tiers.c.member_id.in_(chunk)))
        store.insert_all(
            conn,
            member_tiers,
            TIER_COLUMNS,
            (row for m in touched for row in _tier_rows(put, m, fold.members[m])),
        )
    store.upsert(
        conn,
        member_points_daily,
        DAILY_COLUMNS,
        _daily_rows(put, changes.daily),
        ["member_id", "rule", "day"],
    )
    store.upsert(
        conn,
        board_tallies,
        TALLY_COLUMNS,
        _tally_rows(put, changes.tallies),
        ["board", "subject", "day"],
    )
    for member_id, key in changes.revoked:
        conn.execute(
            delete(awards).where(
                awards.c.member_id == member_id, awards.c.achievement == key, awards.c.item == ""
            )
        )
    store.insert_new(conn, awards, AWARD_COLUMNS, _award_rows(put, changes.awards))
    store.insert_new(conn, helps, HELP_COLUMNS, _help_rows(put, changes.helps))
    return len(touched), len(changes.awards)


def _save_state(
    conn: Connection,
    fold: Fold,
    *,
    playbook_name: str,
    digest: str,
    max_id: int,
    generation: int,
    checkpoint: bool,
    previous: Any,
) -> None:
    values: dict[str, Any] = {
        "playbook": playbook_name,
        "digest": digest,
        "folded_at": store.utc(fold.last_key[0]) if fold.last_key else None,
        "folded_platform": fold.last_key[1] if fold.last_key else None,
        "folded_source_id": fold.last_key[2] if fold.last_key else None,
        "folded_max_id": max_id,
        "folded_count": fold.count,
        "stale": False,
        "generation": generation,
        "updated_at": datetime.now(UTC),
    }
    if checkpoint or previous is None:
        values["checkpoint"] = zlib.compress(pickle.dumps(fold, protocol=5), 1)
        values["checkpoint_count"] = fold.count
    if previous is None:
        conn.execute(derivation_state.insert().values(id=1, **values))
    else:
        conn.execute(update(derivation_state).where(derivation_state.c.id == 1).values(**values))


# -- rebuild ------------------------------------------------------------------------------------


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (a whole-ledger fold).

    A rebuild allocates millions of small objects and keeps a large fold state alive; every
    few hundred allocations the collector would walk the young objects, and now and then the
    whole state, though the fold creates no reference cycles (measured: 0.7–0.9 s of a
    10 s rebuild). Reference counting still frees everything as usual. The collector is
    process-wide, so it is switched back on afterwards even if the block fails, and left
    alone if it was already off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _count_activities(conn: Connection) -> tuple[int, int]:
    row = conn.execute(select(func.count(), func.max(activities.c.id))).one()
    return int(row[0]), int(row[1] or 0)


def _rebuild_in(
    conn: Connection,
    playbook: Playbook,
    *,
    reason: str,
    on_progress: Progress | None = None,
    previous: Any = None,
) -> DeriveReport:
    with _collector_paused():
        return _rebuild_unpaused(
            conn, playbook, reason=reason, on_progress=on_progress, previous=previous
        )


def _rebuild_unpaused(
    conn: Connection,
    playbook: Playbook,
    *,
    reason: str,
    on_progress: Progress | None,
    previous: Any,
) -> DeriveReport:
    started = time.perf_counter()
    digest = playbook_digest(playbook)
    _, max_id = _count_activities(conn)
    fold = Fold(playbook, store.member_flags(conn))
    for member_id in fold.flags:
        fold.add_member(member_id)
    collected = Collected()
    fed = 0
    for fact in store.stream_facts(conn):
        fold.feed(fact)
        fed += 1
        if fed % DRAIN_EVERY == 0:
            collected.absorb(fold.drain())
            if on_progress is not None:
                on_progress(DRAIN_EVERY)
    collected.absorb(fold.drain())
    if on_progress is not None:
        on_progress(fed % DRAIN_EVERY)
    put = store.encoders(conn)
    members = fold.members
    with store.indexes_built_after(conn):
        store.clear_derived(conn)
        store.insert_all(
            conn,
            member_standing,
            STANDING_COLUMNS,
            (_standing_row(put, fold, m, ms) for m, ms in members.items()),
        )
        if fold.tiers:
            store.insert_all(
                conn,
                member_tiers,
                TIER_COLUMNS,
                (row for m, ms in members.items() for row in _tier_rows(put, m, ms)),
            )
        store.insert_all(
            conn, member_points_daily, DAILY_COLUMNS, _daily_rows(put, collected.daily)
        )
        store.insert_all(conn, board_tallies, TALLY_COLUMNS, _tally_rows(put, collected.tallies))
        store.insert_all(conn, awards, AWARD_COLUMNS, _award_rows(put, collected.awards.values()))
        store.insert_all(conn, helps, HELP_COLUMNS, _help_rows(put, collected.helps))
    generation = (previous.generation + 1) if previous is not None else 1
    _save_state(
        conn,
        fold,
        playbook_name=playbook.name,
        digest=digest,
        max_id=max_id,
        generation=generation,
        checkpoint=True,
        previous=previous,
    )
    _remember(conn, generation, digest, fold)
    return DeriveReport(
        "rebuild",
        reason,
        fed,
        len(fold.members),
        len(collected.awards),
        time.perf_counter() - started,
    )


def do_rebuild(
    engine: Engine, playbook: Playbook, *, on_progress: Progress | None = None
) -> DeriveReport:
    """Derive everything from scratch with ``playbook``, in one transaction."""
    with engine.begin() as conn:
        previous = store.read_state(conn, lock=True)
        return _rebuild_in(
            conn, playbook, reason="requested", on_progress=on_progress, previous=previous
        )


def count_to_fold(engine: Engine) -> int:
    """How many activities a rebuild folds (for progress bars)."""
    with engine.connect() as conn:
        return _count_activities(conn)[0]


# -- catching up --------------------------------------------------------------------------------


def _first_new_key(conn: Connection, max_id: int) -> tuple[FactKey | None, int, int]:
    row = conn.execute(
        select(func.count(), func.max(activities.c.id)).where(activities.c.id > max_id)
    ).one()
    if not row[0]:
        return None, 0, max_id
    first = conn.execute(
        select(activities.c.occurred_at, activities.c.platform, activities.c.source_id)
        .where(activities.c.id > max_id)
        .order_by(activities.c.occurred_at, activities.c.platform, activities.c.source_id)
        .limit(1)
    ).one()
    return (to_seconds(first[0]), first[1], first[2]), int(row[0]), int(row[1])


def _late_commits(conn: Connection, state: Any) -> bool:
    """PostgreSQL hands out ids before commit, so a transaction can commit an id below one
    already folded; counting what lies at or below the folded id catches it."""
    if conn.dialect.name != "postgresql":
        return False
    seen = conn.execute(
        select(func.count()).where(activities.c.id <= state.folded_max_id)
    ).scalar_one()
    return int(seen) != int(state.folded_count)


def _restore(conn: Connection, state: Any, digest: str) -> Fold | None:
    fold = _recall(conn, state.generation, digest)
    if fold is not None:
        return fold
    blob = store.read_checkpoint(conn)
    if blob is None:
        return None
    restored = pickle.loads(zlib.decompress(blob))
    return restored if isinstance(restored, Fold) else None


def _flags_changed(flags: dict[int, MemberFlags], fold: Fold) -> bool:
    known = fold.flags
    return any(known.get(m) not in (None, f) for m, f in flags.items()) or any(
        m not in flags for m in known
    )


def do_catch_up(
    engine: Engine,
    playbook: Playbook,
    *,
    on_progress: Progress | None = None,
    checkpoint: bool = False,
) -> DeriveReport:
    """Bring the derived tables up to date with every committed activity."""
    with engine.begin() as conn:
        return catch_up_in(conn, playbook, on_progress=on_progress, checkpoint=checkpoint)


def catch_up_in(
    conn: Connection,
    playbook: Playbook,
    *,
    on_progress: Progress | None = None,
    checkpoint: bool = False,
) -> DeriveReport:
    """:func:`do_catch_up` inside the caller's transaction."""
    started = time.perf_counter()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7410001)"))
    digest = playbook_digest(playbook)
    state = store.read_state(conn, lock=True)

    def rebuild(reason: str) -> DeriveReport:
        return _rebuild_in(conn, playbook, reason=reason, on_progress=on_progress, previous=state)

    if state is None:
        return rebuild("first derivation")
    if state.digest != digest:
        return rebuild("the playbook changed")
    if state.stale:
        return rebuild("members were merged, flagged or erased")
    first, new, max_id = _first_new_key(conn, state.folded_max_id)
    if first is None:
        return DeriveReport("unchanged", "nothing new", 0, 0, 0, time.perf_counter() - started)
    folded: FactKey | None = (
        (to_seconds(state.folded_at), state.folded_platform, state.folded_source_id)
        if state.folded_at is not None
        else None
    )
    if folded is not None and first <= folded:
        return rebuild("older activities arrived (a backfill)")
    if _late_commits(conn, state):
        return rebuild("an activity was committed late")
    fold = _restore(conn, state, digest)
    if fold is None:
        return rebuild("no checkpoint to resume from")
    # Flag changes, merges and erasures mark the derivation stale (handled above), so only
    # members created since need reading. PostgreSQL can commit ids out of order, so there
    # every member is compared.
    if conn.dialect.name == "postgresql":
        flags = store.member_flags(conn)
        if _flags_changed(flags, fold):
            return rebuild("member flags changed")
    else:
        flags = store.member_flags(conn, after_id=max(fold.flags, default=0))
    for member_id, member_flags in flags.items():
        if member_id not in fold.flags:
            fold.add_member(member_id, member_flags)
    fed = 0
    for fact in store.stream_facts(conn, fold.last_key):
        fold.feed(fact)
        fed += 1
    changes = fold.drain()
    members_written, awards_written = _write_changes(conn, fold, changes)
    if on_progress is not None:
        on_progress(fed)
    due = checkpoint or fold.count - int(state.checkpoint_count) >= CHECKPOINT_EVERY
    generation = int(state.generation) + 1
    _save_state(
        conn,
        fold,
        playbook_name=playbook.name,
        digest=digest,
        max_id=max(max_id, int(state.folded_max_id)),
        generation=generation,
        checkpoint=due,
        previous=state,
    )
    _remember(conn, generation, digest, fold)
    return DeriveReport(
        "incremental",
        f"{new} new activities",
        fed,
        members_written,
        awards_written,
        time.perf_counter() - started,
    )


def fold_in_memory(
    conn: Connection, playbook: Playbook, flags: dict[int, MemberFlags] | None = None
) -> tuple[Fold, Collected]:
    """Fold the whole ledger with ``playbook`` without writing anything (previews)."""
    fold = Fold(playbook, flags if flags is not None else store.member_flags(conn))
    for member_id in list(fold.flags):
        fold.add_member(member_id)
    collected = Collected()
    facts: Iterable[Fact] = store.stream_facts(conn)
    for count, fact in enumerate(facts, start=1):
        fold.feed(fact)
        if count % DRAIN_EVERY == 0:
            collected.absorb(fold.drain())
    collected.absorb(fold.drain())
    return fold, collected


def forget_member(conn: Connection, member_id: int) -> None:
    """Delete everything derived about a member (erasure) and mark the derivation stale."""
    conn.execute(delete(member_standing).where(member_standing.c.member_id == member_id))
    conn.execute(delete(member_points_daily).where(member_points_daily.c.member_id == member_id))
    conn.execute(delete(awards).where(awards.c.member_id == member_id))
    conn.execute(
        delete(helps).where((helps.c.helper_id == member_id) | (helps.c.helped_id == member_id))
    )
    conn.execute(delete(member_tiers).where(member_tiers.c.member_id == member_id))
    conn.execute(delete(board_tallies).where(board_tallies.c.member_id == member_id))
    invalidate(conn)
