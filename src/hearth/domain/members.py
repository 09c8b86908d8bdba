"""Pure rules about members and identities."""

from __future__ import annotations

from hearth.domain.activity import IdentityRef


def display_name_for(ref: IdentityRef) -> str:
    """The name a new member is shown under: display name, then handle, then platform id."""
    return ref.display_name or ref.handle or f"{ref.platform}:{ref.external_id}"


def merged_names(existing: list[str], *candidates: str | None) -> list[str]:
    """``existing`` plus each new, non-empty candidate, keeping first-seen order."""
    names = list(existing)
    for name in candidates:
        if name and name not in names:
            names.append(name)
    return names
