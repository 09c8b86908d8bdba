"""Role changes: recorded once, whoever makes them.

Discord tells the bot about every change of a member's roles (``on_member_update``), the ones
staff make in Discord's own interface as well as the bot's own. The bot's own changes are
recorded by the cog that makes them, in its own words (a role menu's ``member.role_picked``, an
automatic role, a tier's role), so the gateway's echo of them must not be recorded a second
time. :func:`change_role` is how a cog changes a role: it notes the change as *expected*
before asking Discord, and :meth:`ExpectedRoleChanges.claim` lets the gateway handler skip the
echo. An expectation lasts :data:`EXPECT_FOR` (Discord echoes within a second or two); one the
echo never claims simply expires.

What the gateway handler records for the other changes (:func:`role_changed`):
``member.role_granted`` / ``member.role_removed`` with no actor (Discord does not say who) and
the member as the target owner, so a change made *to* a member never counts as the member
being active. Its ``source_id`` is :func:`role_source_id`, the scheme the bot's tier roles and
automatic roles use too: ``role:<server>:<member>:<role>:<granted|removed>:<unix second>``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from hearth.connectors.discord_gateway.mapping import PLATFORM, person
from hearth.domain.activity import ActivityIn, IdentityRef

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

EXPECT_FOR = 60.0  # seconds
GRANTED, REMOVED = "granted", "removed"

_Key = tuple[int, int, int, str]


class ExpectedRoleChanges:
    """The role changes the bot asked Discord for and whose echo it has not seen yet."""

    def __init__(self, expect_for: float = EXPECT_FOR) -> None:
        self.expect_for = expect_for
        self._until: dict[_Key, list[float]] = {}

    def expect(self, guild_id: int, member_id: int, role_id: int, change: str) -> None:
        self._prune()
        key = (guild_id, member_id, role_id, change)
        self._until.setdefault(key, []).append(time.monotonic() + self.expect_for)

    def forget(self, guild_id: int, member_id: int, role_id: int, change: str) -> None:
        """The change failed: no echo will come."""
        self._take((guild_id, member_id, role_id, change))

    def claim(self, guild_id: int, member_id: int, role_id: int, change: str) -> bool:
        """Whether this change is the echo of one the bot made (then no longer expected)."""
        self._prune()
        return self._take((guild_id, member_id, role_id, change))

    def _take(self, key: _Key) -> bool:
        pending = self._until.get(key)
        if not pending:
            return False
        pending.pop(0)
        if not pending:
            del self._until[key]
        return True

    def _prune(self) -> None:
        now = time.monotonic()
        for key in [k for k, until in self._until.items() if until[-1] < now]:
            del self._until[key]

    def __len__(self) -> int:
        return sum(len(until) for until in self._until.values())


async def change_role(
    bot: HearthBot, member: discord.Member, role: discord.Role, *, add: bool, reason: str
) -> None:
    """Give (``add``) or take ``role``, noting the change so its echo is not recorded again.
    Raises what discord.py raises; the caller records the change once it is made."""
    expected = bot.expected_role_changes
    change = GRANTED if add else REMOVED
    expected.expect(member.guild.id, member.id, role.id, change)
    try:
        if add:
            await member.add_roles(role, reason=reason)
        else:
            await member.remove_roles(role, reason=reason)
    except BaseException:
        expected.forget(member.guild.id, member.id, role.id, change)
        raise


def role_source_id(guild_id: int, member_id: int, role_id: int, change: str, at: datetime) -> str:
    return f"role:{guild_id}:{member_id}:{role_id}:{change}:{int(at.timestamp())}"


def role_changed(
    member: discord.Member,
    role: discord.Role,
    change: str,
    at: datetime,
    *,
    actor: IdentityRef | None = None,
    properties: Mapping[str, Any] | None = None,
) -> ActivityIn:
    """``member.role_granted`` / ``member.role_removed``: done *to* ``member`` (the target
    owner) by ``actor`` (the bot, or nobody known), so it is never the member's own activity."""
    return ActivityIn(
        platform=PLATFORM,
        source_id=role_source_id(member.guild.id, member.id, role.id, change, at),
        kind=f"member.role_{change}",
        occurred_at=at,
        actor=actor,
        target_type="member",
        target_id=str(member.id),
        target_owner=person(member),
        properties={"role": role.name, **(properties or {})},
    )


def role_diff(before: discord.Member, after: discord.Member) -> list[tuple[str, discord.Role]]:
    """The roles ``after`` gained and lost since ``before`` (@everyone and roles managed by
    Discord or an integration — boosts, bots' own roles — left out: staff cannot change them)."""
    old = {r.id: r for r in before.roles}
    new = {r.id: r for r in after.roles}
    changes = [(GRANTED, r) for i, r in new.items() if i not in old]
    changes += [(REMOVED, r) for i, r in old.items() if i not in new]
    return [(change, r) for change, r in changes if not r.is_default() and not r.managed]
