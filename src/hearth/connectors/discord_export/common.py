"""What the CSV and JSON readers share: channels, authors, bots, time zones, and the mapping.

Both readers turn an exported message into a :class:`Message` (plain data, already in UTC);
:func:`activities_of` maps it to ledger activities, so the two formats cannot drift apart:

================== =================== ==================================================
message            kind                notes
================== =================== ==================================================
ordinary or reply  ``message.posted``  target: the channel (its id, else its name)
thread created     ``thread.started``  target: the thread (its id when the export has it)
member joined      ``member.joined``   the server's join notice
(who reacted)      ``reaction.added``  JSON only, when the export lists the users
other notices      (none)              pins, channel renames and icons, calls, group DMs
================== =================== ==================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import InputError
from hearth.i18n import _

PLATFORM = "discord"
# Discord shows every deleted account as this one user ("Deleted User#0000").
DELETED_USER_ID = "456226577798135808"
DELETED_USER_NAME = "Deleted User"

POSTED = "message.posted"
THREAD = "thread.started"
JOINED = "member.joined"
REACTED = "reaction.added"

# DiscordChatExporter names a channel's file "Guild - Category - channel [id].csv", and the
# parts of a split export "... [id] [part 2].csv".
_EXPORT_NAME = re.compile(r"^(?P<title>.*?)\s*\[(?P<id>[0-9]+)\](?:\s*\[part [0-9]+\])?$")
_DIGITS = re.compile(r"([0-9]+)")
# A name that ends in the word "bot": "KMD TipBot", "Komodo-Bot", "music bot" (not "Mr robot").
_BOT_NAME = re.compile(r"(?:(?:^|[\s\-_.])[Bb][Oo][Tt]|[a-z0-9]Bot)$")


@dataclass(frozen=True, slots=True)
class Channel:
    """The channel an export file holds: its name, and its id and category when known."""

    name: str
    id: str | None = None
    category: str | None = None

    @property
    def key(self) -> str:
        """The activities' target id: the channel id, else its name."""
        return self.id or self.name


def channel_from_path(path: Path, fallback: str | None = None) -> Channel:
    """The channel of an export file, from DiscordChatExporter's file name when it has one.

    ``Guild - Category - channel [id].csv`` gives the channel's name, id and category. Other
    names give ``fallback`` when set; else the folder's name for a numbered part (``12.csv``,
    as archives split by message count are named), else the file's own name.
    """
    stem = path.stem
    match = _EXPORT_NAME.match(stem)
    if match:
        parts = [part.strip() for part in match["title"].split(" - ")]
        category = parts[-2] if len(parts) >= 3 else None
        return Channel(name=parts[-1] or match["id"], id=match["id"], category=category)
    if fallback:
        return Channel(name=fallback)
    folder = path.resolve().parent.name
    if stem.isdigit() and folder:
        return Channel(name=folder)
    return Channel(name=stem)


def natural_key(path: Path) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``2.csv`` before ``10.csv`` and ``[part 2]`` before ``[part 10]``."""
    return tuple(
        (0, int(chunk)) if chunk.isdigit() else (1, chunk)
        for chunk in _DIGITS.split(path.name)
        if chunk
    )


def load_timezone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Paris``); an :class:`InputError` when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            _(
                "Unknown time zone '{name}': expected an IANA name such as UTC, "
                "Europe/Paris or America/New_York."
            ).format(name=name)
        ) from exc


def to_utc(value: datetime, zone: tzinfo) -> datetime:
    """``value`` in UTC; a naive ``value`` is wall-clock time in ``zone``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def split_author(full_name: str) -> tuple[str, str | None]:
    """``"name#1234"`` as ``("name", "1234")``; a name without a discriminator as is."""
    name, sep, discriminator = full_name.rpartition("#")
    if sep and name and len(discriminator) == 4 and discriminator.isdigit():
        return name, discriminator
    return full_name, None


def handle_of(name: str, discriminator: str | None) -> str:
    """The account's handle: ``name#1234`` for old-style accounts, the bare name otherwise."""
    if discriminator and discriminator.strip("0"):
        return f"{name}#{discriminator}"
    return name


def is_deleted_user(author_id: str, name: str) -> bool:
    return author_id == DELETED_USER_ID or name == DELETED_USER_NAME


class BotRules:
    """Which authors are bots, beyond what the export says.

    ``names`` are matched, case-insensitively, against the author's id, name and
    ``name#discriminator``. With ``guess``, an author whose name ends in the word "bot"
    (``KMD TipBot``, ``Komodo-Bot``) is a bot too; :meth:`guessed` applies it to CSV files,
    which carry no bot flag.
    """

    def __init__(self, names: Iterable[str] = (), *, guess: bool = True) -> None:
        self.names = frozenset(name.strip().casefold() for name in names if name.strip())
        self.guess = guess

    def listed(self, author_id: str, name: str, discriminator: str | None) -> bool:
        """Whether the author was named as a bot (``--bot``)."""
        if not self.names:
            return False
        candidates = {author_id, name, handle_of(name, discriminator)}
        if discriminator:
            candidates.add(f"{name}#{discriminator}")
        return any(candidate.casefold() in self.names for candidate in candidates)

    def guessed(self, author_id: str, name: str, discriminator: str | None) -> bool:
        """Bot by name or list, for exports without a bot flag (CSV).

        Old exports show webhooks (bridges, feeds) with the discriminator ``0000``; Discord's
        shared "Deleted User" has it too and is not a bot.
        """
        if self.listed(author_id, name, discriminator):
            return True
        if not self.guess or is_deleted_user(author_id, name):
            return False
        return discriminator == "0000" or bool(_BOT_NAME.search(name))


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How to read an export: what the files themselves do not say."""

    zone: tzinfo = UTC
    """Time zone of dates written without one (CSV dates never have one)."""
    bots: BotRules = field(default_factory=BotRules)
    channel: str | None = None
    """Channel name for files whose names do not follow DiscordChatExporter's pattern."""
    date_format: str | None = None
    """A :func:`~datetime.datetime.strptime` format for CSV dates in an unusual form."""


def identity(
    author_id: str,
    name: str,
    discriminator: str | None,
    *,
    nickname: str | None = None,
    is_bot: bool = False,
) -> IdentityRef:
    """The Discord account of a message's author."""
    return IdentityRef(
        platform=PLATFORM,
        external_id=author_id,
        handle=handle_of(name, discriminator),
        display_name=nickname if nickname and nickname != name else None,
        is_bot=is_bot,
    )


@dataclass(frozen=True, slots=True)
class Reaction:
    """Who reacted to a message with one emoji (JSON exports of recent versions list them)."""

    emoji: str
    key: str
    """The custom emoji's id, or the emoji itself: what makes the reaction's ``source_id``."""
    users: tuple[IdentityRef, ...]


@dataclass(frozen=True, slots=True)
class Message:
    """One exported message, read from either format, with its time in UTC."""

    source_id: str
    kind: str | None
    occurred_at: datetime
    author: IdentityRef
    channel: Channel
    content: str
    attachments: list[str] = field(default_factory=list)
    reactions: Mapping[str, int] = field(default_factory=dict)
    reply_to: str | None = None
    mentions: int | None = None
    pinned: bool | None = None
    edited: bool | None = None
    thread_id: str | None = None
    message_type: str | None = None
    reacted: list[Reaction] = field(default_factory=list)


def activities_of(message: Message) -> Iterator[ActivityIn]:
    """The ledger activity of ``message`` (none for the notices that are not activities)."""
    if message.kind == POSTED:
        yield ActivityIn(
            platform=PLATFORM,
            source_id=message.source_id,
            kind=POSTED,
            occurred_at=message.occurred_at,
            actor=message.author,
            target_type="channel",
            target_id=message.channel.key,
            properties=_posted_properties(message),
        )
        yield from _reactions(message)
    elif message.kind == THREAD:
        properties: dict[str, Any] = {"channel": message.channel.name}
        title = message.content.strip()
        if title and title != "Started a thread.":
            properties["title"] = title
        yield ActivityIn(
            platform=PLATFORM,
            source_id=message.source_id,
            kind=THREAD,
            occurred_at=message.occurred_at,
            actor=message.author,
            target_type="thread",
            target_id=message.thread_id or message.source_id,
            properties=properties,
        )
    elif message.kind == JOINED:
        yield ActivityIn(
            platform=PLATFORM,
            source_id=message.source_id,
            kind=JOINED,
            occurred_at=message.occurred_at,
            actor=message.author,
            properties={"channel": message.channel.name},
        )


def _reactions(message: Message) -> Iterator[ActivityIn]:
    """One ``reaction.added`` per user and emoji, when the export names who reacted.

    The export does not say when someone reacted; the message's own time stands in.
    """
    for reaction in message.reacted:
        for user in reaction.users:
            yield ActivityIn(
                platform=PLATFORM,
                source_id=f"{message.source_id}:reaction:{reaction.key}:{user.external_id}",
                kind=REACTED,
                occurred_at=message.occurred_at,
                actor=user,
                target_type="message",
                target_id=message.source_id,
                target_owner=message.author,
                properties={"emoji": reaction.emoji, "channel": message.channel.name},
            )


def _posted_properties(message: Message) -> dict[str, Any]:
    properties: dict[str, Any] = {"channel": message.channel.name}
    if message.channel.category:
        properties["category"] = message.channel.category
    properties["length"] = len(message.content)
    if message.reply_to:
        properties["reply_to"] = message.reply_to
    if message.attachments:
        properties["attachment_count"] = len(message.attachments)
        properties["attachments"] = list(message.attachments)
    if message.reactions:
        properties["reactions"] = dict(message.reactions)
    for key in ("mentions", "pinned", "edited", "message_type"):
        value = getattr(message, key)
        if value is not None:
            properties[key] = value
    return properties
