"""Roles of the web platform's accounts, in order: each role can do what the ones below can.

::

    admin       manage accounts and roles, everything staff can
    staff       the staff dashboard, identity review, NPS entry, API tokens
    moderator   moderation (cases, reports) — and everything a member can
    member      a signed-in member of the community
    anonymous   anyone, not signed in
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    anonymous = "anonymous"
    member = "member"
    moderator = "moderator"
    staff = "staff"
    admin = "admin"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    def at_least(self, other: Role) -> bool:
        """Whether this role can do what ``other`` can."""
        return self.rank >= other.rank

    @property
    def is_staff(self) -> bool:
        return self.at_least(Role.staff)


_ORDER = (Role.anonymous, Role.member, Role.moderator, Role.staff, Role.admin)

# Roles an account can hold (anonymous is the absence of an account).
ACCOUNT_ROLES = tuple(role.value for role in _ORDER if role is not Role.anonymous)


def parse_role(text: str) -> Role | None:
    """The role named ``text`` (case-insensitive), or None."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        return None
