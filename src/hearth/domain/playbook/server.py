"""The ``server:`` section: the chat server's layout, welcome flow and role menus, as data.

The bot reads it: ``hearth discord plan`` / ``apply`` build the categories, channels, roles and
permission overwrites declared here (:mod:`hearth.domain.server_layout` computes the
difference), the welcome cog greets members and gives them the automatic roles, and the role
cog posts the self-service role menus.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from hearth.domain.playbook.base import Duration, Key, PlaybookModel, Text, TypeLabel

# Discord's permission names (the API's, as discord.py spells them); a test holds this list
# equal to discord.py's.
PERMISSIONS = frozenset(
    [
        "add_reactions",
        "administrator",
        "attach_files",
        "ban_members",
        "bypass_slowmode",
        "change_nickname",
        "connect",
        "create_events",
        "create_expressions",
        "create_instant_invite",
        "create_polls",
        "create_private_threads",
        "create_public_threads",
        "deafen_members",
        "embed_links",
        "external_emojis",
        "external_stickers",
        "kick_members",
        "manage_channels",
        "manage_emojis",
        "manage_emojis_and_stickers",
        "manage_events",
        "manage_expressions",
        "manage_guild",
        "manage_messages",
        "manage_nicknames",
        "manage_permissions",
        "manage_roles",
        "manage_threads",
        "manage_webhooks",
        "mention_everyone",
        "moderate_members",
        "move_members",
        "mute_members",
        "pin_messages",
        "priority_speaker",
        "read_message_history",
        "read_messages",
        "request_to_speak",
        "send_messages",
        "send_messages_in_threads",
        "send_polls",
        "send_tts_messages",
        "send_voice_messages",
        "set_voice_channel_status",
        "speak",
        "stream",
        "use_application_commands",
        "use_embedded_activities",
        "use_external_apps",
        "use_external_emojis",
        "use_external_sounds",
        "use_external_stickers",
        "use_soundboard",
        "use_voice_activation",
        "view_audit_log",
        "view_channel",
        "view_creator_monetization_analytics",
        "view_guild_insights",
    ]
)
EVERYONE = "@everyone"
MAX_SLOWMODE = timedelta(hours=6)


def _check_permission(name: str) -> str:
    if name not in PERMISSIONS:
        import difflib

        close = difflib.get_close_matches(name, sorted(PERMISSIONS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"'{name}' is not a Discord permission{hint}")
    return name


Permission = Annotated[str, AfterValidator(_check_permission), TypeLabel("permission")]
"""A Discord permission name: ``view_channel``, ``send_messages``, ``manage_messages``..."""

Colour = Annotated[
    str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$"), TypeLabel("colour (#rrggbb)")
]


class Overwrite(PlaybookModel):
    """A permission overwrite on a channel or category, for one role."""

    role: Text = Field(description="The role's name; `@everyone` for everyone.")
    allow: list[Permission] = Field(default_factory=list, description="Permissions granted.")
    deny: list[Permission] = Field(default_factory=list, description="Permissions denied.")

    @model_validator(mode="after")
    def _disjoint(self) -> Overwrite:
        both = sorted(set(self.allow) & set(self.deny))
        if both:
            raise ValueError(f"allowed and denied at once: {', '.join(both)}")
        return self


class Channel(PlaybookModel):
    """A channel of the community server."""

    name: Text = Field(description="The channel's name as created on the server.")
    purpose: str | None = Field(default=None, description="What it is for.")
    voice: bool = Field(default=False, description="A voice channel.")
    forum: bool = Field(
        default=False, description="A forum channel: every post opens a thread (help forums)."
    )
    access: list[Key] = Field(
        default_factory=list,
        description="Tier keys that may see it; empty: everyone. The channel is hidden from "
        "`@everyone` and shown to the roles of those tiers (`roles[].tier`, else a role named "
        "like the tier).",
    )
    topic: str | None = Field(
        default=None, description="The channel topic; null: the `purpose`, when there is one."
    )
    slowmode: Duration | None = Field(
        default=None,
        description="Slow-mode: how long a member waits between two messages (at most 6h); "
        "null: off.",
    )
    overwrites: list[Overwrite] = Field(
        default_factory=list, description="Permission overwrites, one per role."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Channel:
        if self.voice and self.forum:
            raise ValueError("a channel is a voice channel or a forum, not both")
        if self.slowmode is not None and not timedelta(0) <= self.slowmode <= MAX_SLOWMODE:
            raise ValueError("slowmode must be between 0s and 6h")
        return self


class ServerCategory(PlaybookModel):
    """A category of channels."""

    name: Text = Field(description="The category's name.")
    channels: list[Channel] = Field(default_factory=list, description="Its channels.")
    overwrites: list[Overwrite] = Field(
        default_factory=list, description="Permission overwrites of the category, one per role."
    )


class ServerRole(PlaybookModel):
    """A role of the community server."""

    name: Text = Field(description="The role's name.")
    colour: Colour | None = Field(default=None, description="Its colour, `#rrggbb`; null: none.")
    permissions: list[Permission] = Field(
        default_factory=list, description="Server-wide permissions it grants."
    )
    hoist: bool = Field(default=False, description="Shown separately in the member list.")
    mentionable: bool = Field(default=False, description="Anyone may @mention it.")
    tier: Key | None = Field(
        default=None,
        description="The tier whose members hold this role (granted by the rules engine); "
        "channel `access` lists refer to it.",
    )


class Welcome(PlaybookModel):
    """How the bot greets a member who joins (the onboarding flow's first steps)."""

    channel: Text | None = Field(
        default=None, description="Channel where the welcome message is posted; null: none."
    )
    message: str | None = Field(
        default=None,
        description="The welcome message; `{member}` is the member's mention, `{server}` the "
        "server's name, `{guide}` the guide channel's mention. Null: the bot's own (translated).",
    )
    guide: str | None = Field(
        default=None,
        description="The onboarding guide sent to the member by direct message; null: no message.",
    )
    guide_channel: Text | None = Field(
        default=None, description="The channel that holds the onboarding guide (for `{guide}`)."
    )
    auto_roles: list[Text] = Field(
        default_factory=list, description="Roles every member gets on joining."
    )
    introductions_channel: Text | None = Field(
        default=None,
        description="Where members introduce themselves: a member's first message there "
        "records `member.introduced`.",
    )


class RoleOption(PlaybookModel):
    """A role a member can pick from a menu."""

    role: Text = Field(description="The role's name.")
    label: str | None = Field(default=None, description="The button's label; null: the name.")
    emoji: str | None = Field(default=None, description="An emoji shown with the label.")
    description: str | None = Field(default=None, description="A line under it (select menus).")


class RoleMenu(PlaybookModel):
    """A self-service role menu the bot posts in a channel."""

    key: Key = Field(description="Stable identifier (part of the buttons' ids).")
    channel: Text = Field(description="The channel the menu is posted in.")
    title: Text = Field(description="The menu's heading.")
    description: str | None = Field(default=None, description="A line of explanation.")
    style: Literal["buttons", "select"] = Field(
        default="buttons",
        description="`buttons`: one toggle button per role; `select`: one drop-down menu.",
    )
    max_choices: int | None = Field(
        default=None,
        ge=1,
        description="For `select`: how many roles a member may hold from this menu; null: all.",
    )
    roles: list[RoleOption] = Field(min_length=1, max_length=25, description="The roles offered.")


class Thanks(PlaybookModel):
    """Limits on the bot's ``/thanks`` command (which records help on Discord)."""

    per_day: int = Field(
        default=5,
        ge=1,
        le=100,
        description="How many members one member may thank per UTC day. Thanking the same "
        "member twice on one day counts once; nobody can thank themselves or a bot.",
    )


Repository = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"),
    TypeLabel("repository (owner/name)"),
]


class RepositoryAnnouncements(PlaybookModel):
    """Where one repository's merged pull requests and releases are announced (instead of the
    defaults)."""

    repository: Repository = Field(description="`owner/name` (any case).")
    pr_merged: Text | None = Field(
        default=None, description="Channel for its merged pull requests; null: not announced."
    )
    release: Text | None = Field(
        default=None, description="Channel for its releases; null: not announced."
    )


class GitHubAnnouncements(PlaybookModel):
    """Merged pull requests and published releases (``pr.merged``, ``release.published`` in the
    ledger, from webhooks or imports) announced in chat as they arrive."""

    pr_merged: Text | None = Field(
        default=None,
        description="Channel where merged pull requests are announced; null: not announced.",
    )
    release: Text | None = Field(
        default=None,
        description="Channel where published releases are announced; null: not announced.",
    )
    repositories: list[RepositoryAnnouncements] = Field(
        default_factory=list,
        description="Repositories announced elsewhere than the defaults above: a repository "
        "listed here uses only its own channels.",
    )

    def channel_for(self, kind: str, repository: str | None) -> str | None:
        """The channel announcing an activity of ``kind`` in ``repository``; None: none."""
        wanted = (repository or "").lower()
        chosen: GitHubAnnouncements | RepositoryAnnouncements = next(
            (e for e in self.repositories if e.repository.lower() == wanted), self
        )
        if kind == "pr.merged":
            return chosen.pr_merged
        if kind == "release.published":
            return chosen.release
        return None

    def channels(self) -> list[tuple[tuple[str | int, ...], str | None]]:
        """Every channel named, with where (for validation)."""
        named: list[tuple[tuple[str | int, ...], str | None]] = [
            (("pr_merged",), self.pr_merged),
            (("release",), self.release),
        ]
        for i, entry in enumerate(self.repositories):
            named.append((("repositories", i, "pr_merged"), entry.pr_merged))
            named.append((("repositories", i, "release"), entry.release))
        return named


class Server(PlaybookModel):
    """The community's chat server: layout, welcome flow, role menus and helper channels."""

    platform: str = Field(default="discord", description="The chat platform.")
    roles: list[ServerRole] = Field(default_factory=list, description="Roles, highest first.")
    categories: list[ServerCategory] = Field(default_factory=list, description="Categories.")
    welcome: Welcome | None = Field(default=None, description="The welcome flow.")
    role_menus: list[RoleMenu] = Field(default_factory=list, description="Self-service role menus.")
    help_channels: list[Text] = Field(
        default_factory=list,
        description="Channels (or forums) where the bot suggests FAQ answers to questions.",
    )
    github_repository: str | None = Field(
        default=None,
        description="`owner/name`: the repository a bare `#123` in chat refers to.",
    )
    announcement_channel: Text | None = Field(
        default=None,
        description="Where the bot announces achievements and tiers as members earn them; "
        "null: no announcements.",
    )
    thanks: Thanks = Field(default_factory=Thanks, description="Limits on `/thanks`.")
    github_announcements: GitHubAnnouncements = Field(
        default_factory=GitHubAnnouncements,
        description="Where merged pull requests and releases are announced.",
    )
    mod_log_channel: Text | None = Field(
        default=None,
        description="Where the bot posts every moderation action (warnings, timeouts, bans, "
        "reports, appeals); null: not posted.",
    )

    def channel_names(self) -> set[str]:
        return {c.name for category in self.categories for c in category.channels}


def server_problems(server: Server) -> list[tuple[tuple[str | int, ...], str]]:
    """Names the section uses but does not define: roles of overwrites, automatic roles and
    menus; channels of the welcome flow, menus and help. ``(location, message)`` pairs."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    roles = {role.name for role in server.roles} | {EVERYONE}
    channels = server.channel_names()

    def role(name: str, loc: tuple[str | int, ...]) -> None:
        if server.roles and name not in roles:
            problems.append((loc, f"unknown role '{name}'; defined: {', '.join(sorted(roles))}"))

    def channel(name: str | None, loc: tuple[str | int, ...]) -> None:
        if name and server.categories and name not in channels:
            problems.append((loc, f"unknown channel '{name}'"))

    seen: set[str] = set()
    for i, entry in enumerate(server.roles):
        if entry.name in seen:
            problems.append((("server", "roles", i, "name"), f"duplicate role '{entry.name}'"))
        seen.add(entry.name)
    for i, category in enumerate(server.categories):
        for k, overwrite in enumerate(category.overwrites):
            role(overwrite.role, ("server", "categories", i, "overwrites", k, "role"))
        for j, listed in enumerate(category.channels):
            for k, overwrite in enumerate(listed.overwrites):
                loc = ("server", "categories", i, "channels", j, "overwrites", k, "role")
                role(overwrite.role, loc)
    if server.welcome is not None:
        welcome = server.welcome
        for field in ("channel", "guide_channel", "introductions_channel"):
            channel(getattr(welcome, field), ("server", "welcome", field))
        for k, name in enumerate(welcome.auto_roles):
            role(name, ("server", "welcome", "auto_roles", k))
    keys: set[str] = set()
    for i, menu in enumerate(server.role_menus):
        if menu.key in keys:
            problems.append((("server", "role_menus", i, "key"), f"duplicate key '{menu.key}'"))
        keys.add(menu.key)
        channel(menu.channel, ("server", "role_menus", i, "channel"))
        for k, option in enumerate(menu.roles):
            role(option.role, ("server", "role_menus", i, "roles", k, "role"))
    for k, name in enumerate(server.help_channels):
        channel(name, ("server", "help_channels", k))
    channel(server.announcement_channel, ("server", "announcement_channel"))
    for where, named in server.github_announcements.channels():
        channel(named, ("server", "github_announcements", *where))
    channel(server.mod_log_channel, ("server", "mod_log_channel"))
    return problems
