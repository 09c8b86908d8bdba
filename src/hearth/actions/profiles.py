"""Member profiles, the member directory, and each member's choice about them.

What a profile shows is public within the community: the display name, the accounts on each
platform (platform and handle, never an e-mail address), points, achievements, tier and
progress (:mod:`hearth.actions.standing`), and how much public activity the member had lately
(posts, answers, pull requests... — never tickets, moderation cases or anything private).

A member chooses (``member_directory``): *listed* — shown in the directory (opt-in); *hidden* —
the profile is shown only to the member and to staff, and leaderboards name them only as "a
member". The default is neither: the profile is public, the directory does not list them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
)

from hearth.actions import audit
from hearth.actions.boards import derivation_version
from hearth.actions.caching import ExpiringCache
from hearth.actions.context import Caller
from hearth.actions.standing import MemberStanding, TierHeld, access_member_standing, tiers_at
from hearth.actions.standing import tier_plans as _tier_plans
from hearth.domain.playbook import Playbook
from hearth.domain.rules import TierPlan
from hearth.errors import InputError, NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store.tables import activities as ledger
from hearth.store.tables import identities, member_directory, member_standing, member_tiers, members

# The activity a profile summarises: public contributions only. Tickets, moderation, votes
# (who voted is private on Q&A sites) and staff decisions are never counted here.
PUBLIC_KINDS = (
    "message.posted",
    "thread.started",
    "thread.replied",
    "thread.solved",
    "question.asked",
    "answer.posted",
    "answer.accepted",
    "comment.posted",
    "commit.authored",
    "pr.opened",
    "pr.merged",
    "pr.reviewed",
    "issue.opened",
    "issue.commented",
    "release.published",
    "content.published",
    "project.shared",
    "event.attended",
    "thanks.given",
)
RECENT_DAYS = 90
CHOICES = ("listed", "unlisted", "hidden")
MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class IdentityView:
    platform: str
    handle: str


@dataclass(frozen=True, slots=True)
class ActivityCount:
    kind: str
    count: int
    last_at: datetime


@dataclass(slots=True)
class Profile:
    standing: MemberStanding
    identities: list[IdentityView]
    listed: bool
    hidden: bool
    is_bot: bool
    is_staff: bool
    recent: list[ActivityCount] = field(default_factory=list)
    recent_days: int = RECENT_DAYS
    last_active: datetime | None = None


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    member_id: int
    display_name: str
    handles: list[IdentityView]
    points: int
    tier: TierHeld | None


@dataclass(frozen=True, slots=True)
class DirectoryPage:
    entries: list[DirectoryEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class PublicName:
    """How a member is named on public pages (a hidden member has no name there)."""

    display_name: str
    hidden: bool


_PLANS: dict[int, tuple[Playbook, list[TierPlan]]] = {}


def tier_plans(playbook: Playbook) -> list[TierPlan]:
    """The compiled tiers of ``playbook``, compiled once per playbook object."""
    found = _PLANS.get(id(playbook))
    if found is None or found[0] is not playbook:
        found = (playbook, _tier_plans(playbook))
        _PLANS[id(playbook)] = found
    return found[1]


def may_manage(caller: Caller, member_id: int) -> bool:
    """Whether ``caller`` may see a hidden profile and change the member's choice."""
    return caller.is_staff or caller.member_id == member_id


def profile_label(listed: bool, hidden: bool) -> str:
    """A member's directory choice in one word, as exports say it: hidden, listed or public."""
    return "hidden" if hidden else "listed" if listed else "public"


def directory_choice(conn: Connection, member_id: int) -> tuple[bool, bool]:
    """``(listed, hidden)`` of member ``member_id`` (no choice made: both False)."""
    row = conn.execute(
        select(member_directory.c.listed, member_directory.c.hidden).where(
            member_directory.c.member_id == member_id
        )
    ).first()
    return (bool(row.listed), bool(row.hidden)) if row is not None else (False, False)


_MERGED_OR_ERASED = select(members.c.merged_into, members.c.erased_at).where(
    members.c.id == bindparam("id")
)  # built once: every profile request reads it


def access_current_member(engine: Engine, member_id: int) -> int:
    """The member ``member_id`` is now: itself, or the member it was merged into (followed)."""
    seen: set[int] = set()
    current = member_id
    with engine.connect() as conn:
        while current not in seen:
            seen.add(current)
            row = conn.execute(_MERGED_OR_ERASED, {"id": current}).first()
            if row is None or row.erased_at is not None:
                raise NotFound(_("No member {id}.").format(id=member_id))
            if row.merged_into is None:
                return current
            current = int(row.merged_into)
    raise NotFound(_("No member {id}.").format(id=member_id))


def access_profile(
    engine: Engine,
    caller: Caller,
    member_id: int,
    playbook: Playbook,
    now: datetime | None = None,
) -> Profile:
    """Member ``member_id``'s public profile; NotFound when hidden from ``caller``."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        flags = conn.execute(
            select(
                members.c.is_bot,
                members.c.is_staff,
                member_directory.c.listed,
                member_directory.c.hidden,
            )
            .select_from(
                members.outerjoin(member_directory, member_directory.c.member_id == members.c.id)
            )
            .where(members.c.id == member_id, members.c.erased_at.is_(None))
        ).first()
        if flags is None:
            raise NotFound(_("No member {id}.").format(id=member_id))
        listed, hidden = bool(flags.listed), bool(flags.hidden)
        if hidden and not may_manage(caller, member_id):
            # The same answer as for a member that does not exist: hiding is not advertised.
            raise NotFound(_("No member {id}.").format(id=member_id))
        handles = [
            IdentityView(row.platform, row.handle)
            for row in conn.execute(
                select(identities.c.platform, identities.c.handle)
                .where(identities.c.member_id == member_id, identities.c.handle.is_not(None))
                .order_by(identities.c.platform, identities.c.handle)
            )
        ]
        # One pass over the member's public activity (the (actor_member_id, kind) index):
        # per kind, how many in the recent window and the latest.
        # Whole UTC days, so the figures hold until midnight (pages cache them that long).
        today = datetime(now.year, now.month, now.day, tzinfo=UTC)
        since = today - timedelta(days=RECENT_DAYS)
        rows = conn.execute(
            select(
                ledger.c.kind,
                func.sum(case((ledger.c.occurred_at >= since, 1), else_=0)).label("n"),
                func.max(ledger.c.occurred_at).label("last_at"),
            )
            .where(
                ledger.c.actor_member_id == member_id,
                ledger.c.kind.in_(PUBLIC_KINDS),
                ledger.c.occurred_at < today + timedelta(days=1),
            )
            .group_by(ledger.c.kind)
        ).all()
    latest = [_aware(row.last_at) for row in rows]
    last_active = max(latest) if latest else None
    recent = [
        ActivityCount(row.kind, int(row.n), at)
        for row, at in zip(rows, latest, strict=True)
        if row.n
    ]
    recent.sort(key=lambda line: (-line.count, line.kind))
    standing = access_member_standing(engine, caller, member_id, playbook, now=now)
    return Profile(
        standing=standing,
        identities=handles,
        listed=listed,
        hidden=hidden,
        is_bot=bool(flags.is_bot),
        is_staff=bool(flags.is_staff),
        recent=recent,
        last_active=last_active,
    )


def access_public_names(
    engine: Engine, caller: Caller, member_ids: list[int]
) -> dict[int, PublicName]:
    """Display names of ``member_ids`` for public pages, with each one's hidden choice."""
    del caller  # names are public; hidden members are marked for the page to leave out
    ids = sorted(set(member_ids))
    found: dict[int, PublicName] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = conn.execute(
                select(members.c.id, members.c.display_name, member_directory.c.hidden)
                .select_from(
                    members.outerjoin(
                        member_directory, member_directory.c.member_id == members.c.id
                    )
                )
                .where(members.c.id.in_(chunk))
            )
            for row in rows:
                found[int(row.id)] = PublicName(row.display_name, bool(row.hidden))
    return found


def access_directory(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    *,
    search: str = "",
    page: int = 1,
    per_page: int = 30,
    now: datetime | None = None,
) -> DirectoryPage:
    """The members who chose to be listed, by name, optionally those whose display name or a
    handle contains ``search`` (case-insensitive); page ``page`` of ``per_page``."""
    del caller  # the directory is public: it lists only members who opted in
    now = now or datetime.now(UTC)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    conditions: list[Any] = [
        member_directory.c.listed.is_(True),
        member_directory.c.hidden.is_(False),
        members.c.erased_at.is_(None),
        members.c.merged_into.is_(None),
        members.c.is_bot.is_(False),
    ]
    needle = search.strip().lower()[:100]
    if needle:
        handle_matches = exists().where(
            and_(
                identities.c.member_id == members.c.id,
                func.lower(identities.c.handle).contains(needle, autoescape=True),
            )
        )
        conditions.append(
            or_(
                func.lower(members.c.display_name).contains(needle, autoescape=True), handle_matches
            )
        )
    base = members.join(member_directory, member_directory.c.member_id == members.c.id)
    with engine.connect() as conn:
        total = int(
            conn.execute(select(func.count()).select_from(base).where(*conditions)).scalar() or 0
        )
        rows = conn.execute(
            select(members.c.id, members.c.display_name, member_standing.c.points)
            .select_from(
                base.outerjoin(member_standing, member_standing.c.member_id == members.c.id)
            )
            .where(*conditions)
            .order_by(func.lower(members.c.display_name), members.c.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        ids = [int(r.id) for r in rows]
        handles: dict[int, list[IdentityView]] = {}
        tier_rows: list[Any] = []
        if ids:
            for row in conn.execute(
                select(identities.c.member_id, identities.c.platform, identities.c.handle)
                .where(identities.c.member_id.in_(ids), identities.c.handle.is_not(None))
                .order_by(identities.c.platform, identities.c.handle)
            ):
                handles.setdefault(int(row.member_id), []).append(
                    IdentityView(row.platform, row.handle)
                )
            tier_rows = list(
                conn.execute(select(member_tiers).where(member_tiers.c.member_id.in_(ids)))
            )
    tiers = tiers_at(tier_rows, tier_plans(playbook), now)
    start = playbook.points.starting_balance
    entries = [
        DirectoryEntry(
            int(r.id),
            r.display_name,
            handles.get(int(r.id), []),
            int(r.points) if r.points is not None else start,
            tiers.get(int(r.id)),
        )
        for r in rows
    ]
    return DirectoryPage(entries, total, page, per_page)


def access_directory_choice(engine: Engine, caller: Caller, member_id: int) -> tuple[bool, bool]:
    """``(listed, hidden)`` of member ``member_id`` (the member themselves or staff)."""
    if not may_manage(caller, member_id):
        raise PermissionDenied(_("Only the member themselves or staff may see this."))
    with engine.connect() as conn:
        return directory_choice(conn, member_id)


def check_set_directory(engine: Engine, caller: Caller, member_id: int, choice: str) -> None:
    """Set member ``member_id``'s choice: ``listed`` (in the directory), ``unlisted`` (the
    default: a public profile, not in the directory) or ``hidden`` (no public profile).
    The member themselves or staff; audited."""
    if choice not in CHOICES:
        raise InputError(
            _("Choose one of: {choices}.").format(choices=", ".join(CHOICES)),
        )
    if not may_manage(caller, member_id):
        raise PermissionDenied(_("Only the member themselves or staff may change this."))
    do_set_directory(
        engine, caller, member_id, listed=choice == "listed", hidden=choice == "hidden"
    )


def do_set_directory(
    engine: Engine, caller: Caller, member_id: int, *, listed: bool, hidden: bool
) -> None:
    if not may_manage(caller, member_id):
        raise PermissionDenied(_("Only the member themselves or staff may change this."))
    if listed and hidden:
        raise InputError(_("A hidden profile cannot be listed in the directory."))
    with engine.begin() as conn:
        found = conn.execute(
            select(members.c.id).where(
                members.c.id == member_id,
                members.c.erased_at.is_(None),
                members.c.merged_into.is_(None),
            )
        ).first()
        if found is None:
            raise NotFound(_("No member {id}.").format(id=member_id))
        conn.execute(delete(member_directory).where(member_directory.c.member_id == member_id))
        conn.execute(
            insert(member_directory).values(
                member_id=member_id, listed=listed, hidden=hidden, updated_at=datetime.now(UTC)
            )
        )
        audit.record(
            conn, caller, "member.directory", "member", member_id, listed=listed, hidden=hidden
        )


def _aware(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class ProfileCache(ExpiringCache[Profile]):
    """Profiles, each valid until midnight or until a tier held changes with time."""


_NEWEST_ACTIVITY = select(func.max(ledger.c.id))


def access_profile_cached(
    engine: Engine,
    caller: Caller,
    member_id: int,
    playbook: Playbook,
    cache: ProfileCache,
    now: datetime | None = None,
) -> Profile:
    """:func:`access_profile`, from ``cache`` while it cannot have changed: the key holds the
    derivation version (every catch-up, merge, flag, erasure and directory choice moves it) and
    the newest activity id; the value expires at midnight (the activity summary counts whole
    days) or when a tier held can change with time alone."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        version = (derivation_version(conn), conn.scalar(_NEWEST_ACTIVITY) or 0)
    key = (id(playbook), member_id, may_manage(caller, member_id), version)

    def compute() -> tuple[datetime, Profile]:
        profile = access_profile(engine, caller, member_id, playbook, now=now)
        midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
        changes = profile.standing.changes_at
        return (min(midnight, changes) if changes else midnight), profile

    return cache.get(key, now, compute)
