"""Server layout as code, the Discord side: read a guild's layout, apply a plan to it.

:func:`read_layout` turns a live guild into the plain :class:`~hearth.domain.server_layout.Layout`
that :func:`~hearth.domain.server_layout.plan_layout` compares with the playbook's; and
:func:`apply_plan` carries a plan out. A channel is created with its permission overwrites at
once, so a private channel is never visible, even briefly. Role positions are not managed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, TypedDict

import discord

from hearth.domain.playbook.schema import Playbook
from hearth.domain.playbook.server import EVERYONE, Server
from hearth.domain.server_layout import (
    Change,
    ChannelSpec,
    Layout,
    OverwriteSpec,
    RoleSpec,
    desired_layout,
    plan_layout,
)
from hearth.errors import NotFound
from hearth.i18n import _

log = logging.getLogger("hearth.bot.layout")
REASON = "hearth discord apply"


# -- reading ----------------------------------------------------------------------------------


# discord.py knows some permissions under two or three names (``read_messages`` and
# ``view_channel``); the layout uses one, Discord's own where discord.py has it as an alias.
_PREFERRED = ("view_channel", "manage_roles", "use_external_emojis", "use_external_stickers")
_NAMES: dict[int, str] = {}
for _name, _bit in sorted(discord.Permissions.VALID_FLAGS.items()):
    _NAMES.setdefault(_bit, _name)
    if _name in _PREFERRED:
        _NAMES[_bit] = _name


def permission_names(permissions: discord.Permissions) -> frozenset[str]:
    """The names of the permissions set in ``permissions``, one name per permission."""
    return frozenset(name for bit, name in _NAMES.items() if permissions.value & bit == bit)


def canonical(names: Iterable[str]) -> frozenset[str]:
    """``names`` with discord.py's aliases (``read_messages``...) under their canonical name."""
    return permission_names(discord.Permissions(**dict.fromkeys(names, True)))


def channel_type(channel: Any) -> str | None:
    if isinstance(channel, discord.CategoryChannel):
        return "category"
    if isinstance(channel, discord.ForumChannel):
        return "forum"
    if isinstance(channel, discord.VoiceChannel | discord.StageChannel):
        return "voice"
    if isinstance(channel, discord.TextChannel):
        return "text"
    return None


def _overwrites(channel: Any) -> tuple[OverwriteSpec, ...]:
    found = []
    for target, overwrite in channel.overwrites.items():
        if not isinstance(target, discord.Role):
            continue  # overwrites for single members are not part of the layout
        allow, deny = overwrite.pair()
        name = EVERYONE if target.is_default() else target.name
        found.append(OverwriteSpec(name, permission_names(allow), permission_names(deny)))
    return tuple(found)


def read_layout(guild: discord.Guild) -> Layout:
    """The guild's roles, categories and channels as plain data."""
    roles = tuple(
        RoleSpec(
            name=role.name,
            colour=role.colour.value,
            permissions=permission_names(role.permissions),
            hoist=role.hoist,
            mentionable=role.mentionable,
        )
        for role in guild.roles
        if not role.is_default() and not role.managed
    )
    categories = tuple(
        ChannelSpec(name=c.name, type="category", overwrites=_overwrites(c))
        for c in guild.categories
    )
    channels = []
    for channel in guild.channels:
        kind = channel_type(channel)
        if kind is None or kind == "category":
            continue
        channels.append(
            ChannelSpec(
                name=channel.name,
                type=kind,  # type: ignore[arg-type]
                category=channel.category.name if channel.category else None,
                topic=getattr(channel, "topic", None),
                slowmode=getattr(channel, "slowmode_delay", 0) or 0,
                overwrites=_overwrites(channel),
            )
        )
    return Layout(roles=roles, categories=categories, channels=tuple(channels))


def playbook_layout(playbook: Playbook) -> Layout:
    """The playbook's layout, with permission names as Discord reads them back."""
    server = playbook.server or Server()
    layout = desired_layout(server, {tier.key: tier.name for tier in playbook.tiers})

    def fix_channel(spec: ChannelSpec) -> ChannelSpec:
        return replace(
            spec,
            overwrites=tuple(
                replace(o, allow=canonical(o.allow), deny=canonical(o.deny))
                for o in spec.overwrites
            ),
        )

    return Layout(
        roles=tuple(replace(r, permissions=canonical(r.permissions)) for r in layout.roles),
        categories=tuple(fix_channel(c) for c in layout.categories),
        channels=tuple(fix_channel(c) for c in layout.channels),
    )


def plan_for(guild: discord.Guild, playbook: Playbook, *, prune: bool = False) -> list[Change]:
    """What ``hearth discord apply`` would do to ``guild``."""
    return plan_layout(playbook_layout(playbook), read_layout(guild), prune=prune)


# -- applying ---------------------------------------------------------------------------------


def _role(guild: discord.Guild, name: str) -> discord.Role:
    if name == EVERYONE:
        return guild.default_role
    role = discord.utils.get(guild.roles, name=name)
    if role is None:
        raise NotFound(
            _("The role {role} does not exist; declare it under server.roles.").format(role=name)
        )
    return role


def _find(guild: discord.Guild, spec: ChannelSpec, category: str | None) -> Any:
    candidates = [c for c in guild.channels if c.name == spec.name and channel_type(c) == spec.type]
    placed = [c for c in candidates if (c.category.name if c.category else None) == category]
    found = next(iter(placed or candidates), None)
    if found is None:
        raise NotFound(_("The channel {name} is gone.").format(name=spec.label))
    return found


def _category(guild: discord.Guild, name: str | None) -> discord.CategoryChannel | None:
    return discord.utils.get(guild.categories, name=name) if name else None


def _overwrite_map(
    guild: discord.Guild, overwrites: Iterable[OverwriteSpec]
) -> dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]:
    return {_role(guild, o.role): _overwrite(o) for o in overwrites}


def _overwrite(spec: OverwriteSpec) -> discord.PermissionOverwrite:
    return discord.PermissionOverwrite.from_pair(
        discord.Permissions(**dict.fromkeys(spec.allow, True)),
        discord.Permissions(**dict.fromkeys(spec.deny, True)),
    )


async def apply_plan(guild: discord.Guild, plan: list[Change]) -> list[Change]:
    """Carry out ``plan`` on ``guild``, in order; returns the changes made."""
    done: list[Change] = []
    created: set[str] = set()
    for change in plan:
        channel = change.channel
        if change.subject == "overwrite" and channel is not None and channel.label in created:
            continue  # the channel was created with its overwrites
        await _apply(guild, change)
        if change.action == "create" and isinstance(change.spec, ChannelSpec):
            created.add(change.spec.label)
        log.info("applied: %s", change.describe())
        done.append(change)
    return done


async def _apply(guild: discord.Guild, change: Change) -> None:
    spec = change.spec
    if change.subject == "role":
        await _apply_role(guild, change, spec)
    elif change.subject == "overwrite":
        assert change.channel is not None
        target = _find(guild, change.channel, change.channel.category)
        overwrite = None if change.action == "delete" else _overwrite(spec)
        await target.set_permissions(_role(guild, spec.role), overwrite=overwrite, reason=REASON)
    elif change.action == "create":
        await _create_channel(guild, spec)
    elif change.action == "update":
        old_category = change.changes.get("category", (spec.category,))[0]
        target = _find(guild, spec, old_category)
        fields: dict[str, Any] = {}
        if "category" in change.changes:
            fields["category"] = _category(guild, spec.category)
        if "topic" in change.changes:
            fields["topic"] = spec.topic
        if "slowmode" in change.changes:
            fields["slowmode_delay"] = spec.slowmode
        await target.edit(reason=REASON, **fields)
    else:
        await _find(guild, spec, spec.category).delete(reason=REASON)


class _RoleFields(TypedDict):
    """The role settings a layout manages, as keyword arguments to discord.py."""

    colour: discord.Colour
    permissions: discord.Permissions
    hoist: bool
    mentionable: bool


async def _apply_role(guild: discord.Guild, change: Change, spec: RoleSpec) -> None:
    fields: _RoleFields = {
        "colour": discord.Colour(spec.colour),
        "permissions": discord.Permissions(**dict.fromkeys(spec.permissions, True)),
        "hoist": spec.hoist,
        "mentionable": spec.mentionable,
    }
    if change.action == "create":
        await guild.create_role(name=spec.name, reason=REASON, **fields)
        return
    role = _role(guild, spec.name)
    if change.action == "update":
        await role.edit(reason=REASON, **fields)
    else:
        await role.delete(reason=REASON)


async def _create_channel(guild: discord.Guild, spec: ChannelSpec) -> None:
    overwrites = _overwrite_map(guild, spec.overwrites)
    if spec.type == "category":
        await guild.create_category(spec.name, overwrites=overwrites, reason=REASON)
        return
    category = _category(guild, spec.category)
    common: dict[str, Any] = {"category": category, "overwrites": overwrites, "reason": REASON}
    if spec.type == "voice":
        await guild.create_voice_channel(spec.name, **common)
    elif spec.type == "forum":
        await guild.create_forum(
            spec.name, topic=spec.topic or "", slowmode_delay=spec.slowmode, **common
        )
    else:
        await guild.create_text_channel(
            spec.name, topic=spec.topic or "", slowmode_delay=spec.slowmode, **common
        )
