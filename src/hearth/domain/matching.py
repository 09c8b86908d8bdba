"""Suggesting identities that may belong to one person, with the evidence for each pair.

Pure: takes plain identity records, returns suggestions. Nothing is merged here; a staff member
decides on each suggestion (``hearth identities suggest``, then ``link`` or ``merge``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

NOREPLY = re.compile(r"^(?:(?P<id>\d+)\+)?(?P<login>[a-z0-9-]+)@users\.noreply\.github\.com$")

# How strongly each kind of evidence suggests one person (summed, capped at 1.0).
WEIGHTS = {
    "same_email": 0.9,
    "github_noreply": 0.95,
    "same_handle": 0.6,
    "same_name": 0.3,
}


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    identity_id: int
    member_id: int
    platform: str
    external_id: str
    handle: str | None = None
    email: str | None = None
    names: tuple[str, ...] = ()


@dataclass
class Suggestion:
    """Two members that may be one person, and why."""

    member_a: int
    member_b: int
    evidence: list[tuple[str, str]] = field(default_factory=list)

    @property
    def score(self) -> float:
        kinds = {kind for kind, _detail in self.evidence}
        return min(1.0, sum(WEIGHTS[k] for k in kinds))


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a handle or name."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def noreply_login(email: str) -> tuple[str | None, str] | None:
    """``(github user id or None, login)`` for a GitHub no-reply address, else None."""
    match = NOREPLY.match(email.lower())
    if match is None:
        return None
    return match.group("id"), match.group("login")


def suggest(records: Iterable[IdentityRecord], min_score: float = 0.5) -> list[Suggestion]:
    """Pairs of different members sharing evidence, strongest first."""
    by_email: dict[str, list[IdentityRecord]] = defaultdict(list)
    by_handle: dict[str, list[IdentityRecord]] = defaultdict(list)
    by_name: dict[str, list[IdentityRecord]] = defaultdict(list)
    github_by_id: dict[str, IdentityRecord] = {}
    github_by_login: dict[str, IdentityRecord] = {}
    noreply: list[tuple[IdentityRecord, str | None, str]] = []
    for rec in records:
        if rec.email:
            by_email[rec.email.lower()].append(rec)
            login = noreply_login(rec.email)
            if login is not None:
                noreply.append((rec, login[0], login[1]))
        if rec.handle and len(normalise(rec.handle)) >= 3:
            by_handle[normalise(rec.handle)].append(rec)
        for name in rec.names:
            key = normalise(name)
            if len(key) >= 5 and " " in name.strip():
                by_name[key].append(rec)
        if rec.platform == "github":
            github_by_id[rec.external_id] = rec
            if rec.handle:
                github_by_login[rec.handle.lower()] = rec

    pairs: dict[tuple[int, int], Suggestion] = {}

    def add(a: IdentityRecord, b: IdentityRecord, kind: str, detail: str) -> None:
        if a.member_id == b.member_id:
            return
        key = (min(a.member_id, b.member_id), max(a.member_id, b.member_id))
        suggestion = pairs.setdefault(key, Suggestion(*key))
        if (kind, detail) not in suggestion.evidence:
            suggestion.evidence.append((kind, detail))

    for kind, groups, across in (
        ("same_email", by_email, False),
        ("same_handle", by_handle, True),
        ("same_name", by_name, True),
    ):
        for key, group in groups.items():
            for a, b in _pairs(group, across_platforms=across):
                add(a, b, kind, key)
    for rec, user_id, user_login in noreply:
        github = (github_by_id.get(user_id) if user_id else None) or github_by_login.get(user_login)
        if github is not None:
            add(rec, github, "github_noreply", rec.email or user_login)

    strong = [s for s in pairs.values() if s.score >= min_score]
    return sorted(strong, key=lambda s: (-s.score, s.member_a, s.member_b))


MAX_GROUP = 50  # more accounts than this share a key: a shared address or a common name


def _pairs(
    group: list[IdentityRecord], *, across_platforms: bool
) -> Iterator[tuple[IdentityRecord, IdentityRecord]]:
    """Pairs of records of different members in ``group``: each member paired with the first
    record of every other member (a star links the group without n² pairs)."""
    if len(group) < 2 or len(group) > MAX_GROUP:
        return
    firsts: dict[int, IdentityRecord] = {}
    for rec in group:
        firsts.setdefault(rec.member_id, rec)
    heads = list(firsts.values())
    for i, a in enumerate(heads):
        for b in heads[i + 1 :]:
            if across_platforms and a.platform == b.platform:
                continue
            yield a, b
