"""Server layout as code: the layout a playbook declares, and what it takes to get there.

Plain data on both sides: :func:`desired_layout` reads a playbook's ``server:`` section into a
:class:`Layout`; the bot's adapter (``hearth.bot.layout``) reads a live guild into another;
:func:`plan_layout` lists the :class:`Change` s that turn the actual layout into the desired
one. Things are matched by name (roles; categories; channels by name and type). Nothing is
deleted unless ``prune`` is set: without it, roles, channels and overwrites that the playbook
does not mention are left alone. Applying a plan and planning again gives an empty plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hearth.domain.playbook.server import EVERYONE, Overwrite, Server

ChannelType = Literal["text", "voice", "forum", "category"]
Action = Literal["create", "update", "delete"]
Subject = Literal["role", "category", "channel", "overwrite"]


@dataclass(frozen=True, slots=True)
class RoleSpec:
    name: str
    colour: int = 0
    permissions: frozenset[str] = frozenset()
    hoist: bool = False
    mentionable: bool = False


@dataclass(frozen=True, slots=True)
class OverwriteSpec:
    """Permissions allowed and denied to one role on a channel or category."""

    role: str
    allow: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A category (``type == "category"``) or a channel within ``category``."""

    name: str
    type: ChannelType = "text"
    category: str | None = None
    topic: str | None = None
    slowmode: int = 0
    """Seconds."""
    overwrites: tuple[OverwriteSpec, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.category} / {self.name}" if self.category else self.name


@dataclass(frozen=True, slots=True)
class Layout:
    roles: tuple[RoleSpec, ...] = ()
    categories: tuple[ChannelSpec, ...] = ()
    channels: tuple[ChannelSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """One step of a plan.

    ``changes`` maps each field that differs to ``(actual, desired)``; for an ``overwrite``,
    ``name`` is the role and ``channel`` the channel or category label.
    """

    action: Action
    subject: Subject
    name: str
    spec: Any = None
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    channel: ChannelSpec | None = None

    def describe(self) -> str:
        sign = {"create": "+", "update": "~", "delete": "-"}[self.action]
        where = f" on {self.channel.label}" if self.channel is not None else ""
        label = self.spec.label if isinstance(self.spec, ChannelSpec) else self.name
        text = f"{sign} {self.subject} {label}{where}"
        if self.changes:
            parts = [
                f"{key}: {_show(old, key)} → {_show(new, key)}"
                for key, (old, new) in self.changes.items()
            ]
            text += " (" + "; ".join(parts) + ")"
        return text


def _show(value: Any, key: str = "") -> str:
    if key == "colour" and isinstance(value, int):
        return f"#{value:06x}" if value else "none"
    if isinstance(value, frozenset | set):
        return "{" + ", ".join(sorted(value)) + "}" if value else "{}"
    if value is None or value == "":
        return "none"
    return repr(value) if isinstance(value, str) else str(value)


# -- the desired layout -----------------------------------------------------------------------


def colour_value(colour: str | None) -> int:
    """``#rrggbb`` as Discord's integer colour (0: none)."""
    return int(colour[1:], 16) if colour else 0


def desired_layout(server: Server, tier_names: Mapping[str, str] | None = None) -> Layout:
    """The layout a playbook's ``server:`` section declares.

    ``tier_names`` maps tier keys to tier names: a channel's ``access`` list names tiers, whose
    role is the server role with that ``tier``, else a role named like the tier.
    """
    tier_roles = {role.tier: role.name for role in server.roles if role.tier}
    names = dict(tier_names or {})

    def role_of_tier(key: str) -> str:
        return tier_roles.get(key) or names.get(key) or key

    roles = tuple(
        RoleSpec(
            name=role.name,
            colour=colour_value(role.colour),
            permissions=frozenset(role.permissions),
            hoist=role.hoist,
            mentionable=role.mentionable,
        )
        for role in server.roles
    )
    categories: list[ChannelSpec] = []
    channels: list[ChannelSpec] = []
    for category in server.categories:
        categories.append(
            ChannelSpec(
                name=category.name, type="category", overwrites=_overwrites(category.overwrites)
            )
        )
        for channel in category.channels:
            overwrites = list(channel.overwrites)
            if channel.access:
                overwrites = _with_access(overwrites, [role_of_tier(k) for k in channel.access])
            kind: ChannelType = "voice" if channel.voice else "forum" if channel.forum else "text"
            channels.append(
                ChannelSpec(
                    name=channel.name,
                    type=kind,
                    category=category.name,
                    topic=None if kind == "voice" else (channel.topic or channel.purpose),
                    slowmode=int(channel.slowmode.total_seconds()) if channel.slowmode else 0,
                    overwrites=_overwrites(overwrites),
                )
            )
    return Layout(roles=roles, categories=tuple(categories), channels=tuple(channels))


def _with_access(overwrites: list[Overwrite], roles: list[str]) -> list[Overwrite]:
    """``overwrites`` plus: hidden from everyone, shown to ``roles`` (explicit ones win)."""
    named = {o.role for o in overwrites}
    extra = [] if EVERYONE in named else [Overwrite(role=EVERYONE, deny=["view_channel"])]
    extra += [Overwrite(role=r, allow=["view_channel"]) for r in roles if r not in named]
    return overwrites + extra


def _overwrites(overwrites: Iterable[Overwrite]) -> tuple[OverwriteSpec, ...]:
    return tuple(
        OverwriteSpec(role=o.role, allow=frozenset(o.allow), deny=frozenset(o.deny))
        for o in overwrites
    )


# -- the plan ---------------------------------------------------------------------------------


def plan_layout(desired: Layout, actual: Layout, *, prune: bool = False) -> list[Change]:
    """What to create, update (and with ``prune``, delete) to turn ``actual`` into ``desired``.

    Order: roles first (overwrites name them), then categories, then channels, each followed
    by its overwrites; deletions last.
    """
    plan: list[Change] = []
    plan += _plan_roles(desired.roles, actual.roles, prune)
    plan += _plan_channels(desired.categories, actual.categories, prune)
    plan += _plan_channels(desired.channels, actual.channels, prune)
    return [c for c in plan if c.action != "delete"] + [c for c in plan if c.action == "delete"]


def _plan_roles(
    desired: tuple[RoleSpec, ...], actual: tuple[RoleSpec, ...], prune: bool
) -> list[Change]:
    plan: list[Change] = []
    existing = {role.name: role for role in actual}
    for role in desired:
        have = existing.get(role.name)
        if have is None:
            plan.append(Change("create", "role", role.name, spec=role))
            continue
        changes = _differences(have, role, ("colour", "permissions", "hoist", "mentionable"))
        if changes:
            plan.append(Change("update", "role", role.name, spec=role, changes=changes))
    if prune:
        wanted = {role.name for role in desired} | {EVERYONE}
        plan += [Change("delete", "role", r.name, spec=r) for r in actual if r.name not in wanted]
    return plan


def _plan_channels(
    desired: tuple[ChannelSpec, ...], actual: tuple[ChannelSpec, ...], prune: bool
) -> list[Change]:
    plan: list[Change] = []
    matched: set[int] = set()
    for channel in desired:
        index = _find(channel, actual, matched)
        subject: Subject = "category" if channel.type == "category" else "channel"
        if index is None:
            plan.append(Change("create", subject, channel.name, spec=channel))
            plan += [
                Change("create", "overwrite", o.role, spec=o, channel=channel)
                for o in channel.overwrites
            ]
            continue
        matched.add(index)
        have = actual[index]
        fields = ("category",) if subject == "category" else ("category", "slowmode")
        changes = _differences(have, channel, fields)
        if channel.topic is not None and channel.topic != have.topic:
            changes["topic"] = (have.topic, channel.topic)
        if changes:
            plan.append(Change("update", subject, channel.name, spec=channel, changes=changes))
        plan += _plan_overwrites(channel, have, prune)
    if prune:
        plan += [
            Change("delete", "category" if c.type == "category" else "channel", c.name, spec=c)
            for i, c in enumerate(actual)
            if i not in matched
        ]
    return plan


def _find(channel: ChannelSpec, actual: tuple[ChannelSpec, ...], taken: set[int]) -> int | None:
    """The actual channel matching ``channel``: same name and type, in the same category
    if there is one there, else anywhere (it will be moved)."""
    candidates = [
        i
        for i, c in enumerate(actual)
        if i not in taken and c.name == channel.name and c.type == channel.type
    ]
    same_place = [i for i in candidates if actual[i].category == channel.category]
    found = same_place or candidates
    return found[0] if found else None


def _plan_overwrites(desired: ChannelSpec, actual: ChannelSpec, prune: bool) -> list[Change]:
    plan: list[Change] = []
    existing = {o.role: o for o in actual.overwrites}
    for overwrite in desired.overwrites:
        have = existing.get(overwrite.role)
        if have is None:
            plan.append(Change("create", "overwrite", overwrite.role, overwrite, channel=desired))
            continue
        changes = _differences(have, overwrite, ("allow", "deny"))
        if changes:
            plan.append(
                Change("update", "overwrite", overwrite.role, overwrite, changes, channel=desired)
            )
    if prune:
        wanted = {o.role for o in desired.overwrites}
        plan += [
            Change("delete", "overwrite", o.role, o, channel=desired)
            for o in actual.overwrites
            if o.role not in wanted
        ]
    return plan


def _differences(have: Any, want: Any, fields: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (getattr(have, name), getattr(want, name))
        for name in fields
        if getattr(have, name) != getattr(want, name)
    }
