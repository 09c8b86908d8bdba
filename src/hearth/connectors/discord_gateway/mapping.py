"""Gateway objects → ledger activities.

======================== ===================== ===============================================
event                    kind                  ``source_id``
======================== ===================== ===============================================
message in a channel     ``message.posted``    the message id (as the export importer)
"started a thread" note  ``thread.started``    the notice's id (as the export importer)
forum post               ``thread.started``    the thread id (= its opening message's id)
message in a thread      ``thread.replied``    the message id; target: the thread, owner: its
                                               opener
join notice / join       ``member.joined``     the notice's id / ``join:<guild>:<user>:<time>``
leave                    ``member.left``       ``leave:<guild>:<user>:<time>``
edit                     ``message.edited``    ``<message>:edited:<edit time>``
deletion                 ``message.deleted``   ``<message>:deleted``
reaction                 ``reaction.added``    ``<message>:reaction:<emoji>:<user>`` (as the
                                               export importer)
reaction removed         ``reaction.removed``  the same, then ``:removed``
======================== ===================== ===============================================

Notices that are not activities (pins, calls, channel renames, boosts, the pointer a thread
opened from a message starts with) map to nothing; other message types Discord adds later are
kept as posts with their ``message_type``, as the importer does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import discord

from hearth.connectors.discord_export.common import (
    JOINED,
    POSTED,
    THREAD,
    Channel,
    Message,
    activities_of,
    identity,
)
from hearth.connectors.discord_export.common import PLATFORM as PLATFORM  # re-exported for the bot
from hearth.domain.activity import ActivityIn, IdentityRef

REPLIED = "thread.replied"
LEFT = "member.left"
EDITED = "message.edited"
DELETED = "message.deleted"
REACTED = "reaction.added"
UNREACTED = "reaction.removed"

_KINDS = {
    discord.MessageType.default: POSTED,
    discord.MessageType.reply: POSTED,
    discord.MessageType.thread_created: THREAD,
    discord.MessageType.new_member: JOINED,
}
IGNORED_TYPES = frozenset(
    {
        discord.MessageType.recipient_add,
        discord.MessageType.recipient_remove,
        discord.MessageType.call,
        discord.MessageType.channel_name_change,
        discord.MessageType.channel_icon_change,
        discord.MessageType.pins_add,
        discord.MessageType.thread_starter_message,
        *(t for t in discord.MessageType if 8 <= t.value <= 17),
    }
)
FORUM_TYPES = (discord.ChannelType.forum, discord.ChannelType.media)


def person(user: discord.abc.User | discord.Member) -> IdentityRef:
    """The Discord account of ``user``, named as the export importer names it."""
    discriminator = user.discriminator if user.discriminator not in ("0", "") else None
    nickname = getattr(user, "nick", None) or getattr(user, "global_name", None)
    return identity(str(user.id), user.name, discriminator, nickname=nickname, is_bot=user.bot)


def someone(user_id: int, guild: discord.Guild | None) -> IdentityRef:
    """The account ``user_id``, named when the guild's member cache knows it."""
    member = guild.get_member(user_id) if guild is not None else None
    if member is not None:
        return person(member)
    return IdentityRef(platform=PLATFORM, external_id=str(user_id))


def channel_of(channel: Any) -> Channel:
    """The export importer's :class:`Channel` for a guild channel (a thread: its parent)."""
    if isinstance(channel, discord.Thread) and channel.parent is not None:
        channel = channel.parent
    category = getattr(channel, "category", None)
    return Channel(
        name=getattr(channel, "name", None) or str(channel.id),
        id=str(channel.id),
        category=category.name if category is not None else None,
    )


def is_forum_thread(channel: Any) -> bool:
    return (
        isinstance(channel, discord.Thread)
        and channel.parent is not None
        and (channel.parent.type in FORUM_TYPES)
    )


def message_activities(message: discord.Message) -> Iterator[ActivityIn]:
    """The activities of a new (or caught-up) message; none for notices."""
    if message.type in IGNORED_TYPES:
        return
    channel = message.channel
    if isinstance(channel, discord.Thread):
        if message.id == channel.id and is_forum_thread(channel):
            yield thread_started(channel, message)
        elif message.type not in (discord.MessageType.thread_created,):
            yield _reply(channel, message)
        return
    yield from activities_of(_as_export(message))


def thread_started(thread: discord.Thread, opening: discord.Message | None = None) -> ActivityIn:
    """A forum post: the thread and its opening message are one ``thread.started``."""
    parent = channel_of(thread)
    properties: dict[str, Any] = {"channel": parent.name, "title": thread.name}
    tags = [tag.name for tag in thread.applied_tags]
    if tags:
        properties["tags"] = tags
    if opening is not None:
        properties["length"] = len(opening.content)
    actor = (
        person(opening.author) if opening is not None else someone(thread.owner_id, thread.guild)
    )
    return ActivityIn(
        platform=PLATFORM,
        source_id=str(thread.id),
        kind=THREAD,
        occurred_at=thread.created_at or discord.utils.snowflake_time(thread.id),
        actor=actor,
        target_type="thread",
        target_id=str(thread.id),
        properties=properties,
    )


def _reply(thread: discord.Thread, message: discord.Message) -> ActivityIn:
    properties: dict[str, Any] = {
        "channel": channel_of(thread).name,
        "thread": thread.name,
        "length": len(message.content),
    }
    if message.reference is not None and message.type == discord.MessageType.reply:
        properties["reply_to"] = str(message.reference.message_id)
    if message.attachments:
        properties["attachment_count"] = len(message.attachments)
    return ActivityIn(
        platform=PLATFORM,
        source_id=str(message.id),
        kind=REPLIED,
        occurred_at=message.created_at,
        actor=person(message.author),
        target_type="thread",
        target_id=str(thread.id),
        target_owner=someone(thread.owner_id, thread.guild),
        properties=properties,
    )


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _as_export(message: discord.Message) -> Message:
    """``message`` as the export importer's plain :class:`Message`."""
    kind = _KINDS.get(message.type, POSTED)
    reference = message.reference
    return Message(
        source_id=str(message.id),
        kind=kind,
        occurred_at=message.created_at,
        author=person(message.author),
        channel=channel_of(message.channel),
        content=message.content,
        attachments=[a.url for a in message.attachments if a.url],
        reactions={str(r.emoji): r.count for r in message.reactions},
        reply_to=(
            str(reference.message_id)
            if reference is not None and message.type == discord.MessageType.reply
            else None
        ),
        mentions=len(message.mentions),
        pinned=message.pinned,
        edited=message.edited_at is not None,
        thread_id=(str(reference.channel_id) if reference is not None and kind == THREAD else None),
        message_type=_camel(message.type.name) if message.type not in _KINDS else None,
    )


def edited(message: discord.Message) -> ActivityIn | None:
    """An edit of ``message`` (its new state); None when Discord did not date it (an embed
    was added, not an edit by the author)."""
    if message.edited_at is None or message.type in IGNORED_TYPES:
        return None
    channel = channel_of(message.channel)
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"{message.id}:edited:{message.edited_at.isoformat()}",
        kind=EDITED,
        occurred_at=message.edited_at,
        actor=person(message.author),
        target_type="message",
        target_id=str(message.id),
        properties={"channel": channel.name, "length": len(message.content)},
    )


def deleted(
    message_id: int, channel: Any, author: discord.abc.User | None, at: datetime | None = None
) -> ActivityIn:
    """A deletion; ``author`` when the message was in the cache (Discord does not say who
    deleted it)."""
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"{message_id}:deleted",
        kind=DELETED,
        occurred_at=at or datetime.now(UTC),
        target_type="message",
        target_id=str(message_id),
        target_owner=person(author) if author is not None else None,
        properties={"channel": channel_of(channel).name} if channel is not None else {},
    )


def reaction(
    payload: discord.RawReactionActionEvent,
    channel: Any,
    user: discord.abc.User | discord.Member | None,
    message_author: discord.abc.User | None,
    *,
    at: datetime | None = None,
) -> ActivityIn:
    """A reaction added or removed (``payload.event_type``); same ``source_id`` as the
    export importer's reactions."""
    emoji = payload.emoji
    key = str(emoji.id) if emoji.id else (emoji.name or "?")
    added = payload.event_type == "REACTION_ADD"
    source_id = f"{payload.message_id}:reaction:{key}:{payload.user_id}"
    actor = person(user) if user is not None else someone(payload.user_id, None)
    target_owner: IdentityRef | None = None
    if message_author is not None:
        target_owner = person(message_author)
    elif payload.message_author_id is not None:
        target_owner = someone(payload.message_author_id, getattr(channel, "guild", None))
    properties: dict[str, Any] = {"emoji": emoji.name or key}
    if channel is not None:
        properties["channel"] = channel_of(channel).name
    return ActivityIn(
        platform=PLATFORM,
        source_id=source_id if added else source_id + ":removed",
        kind=REACTED if added else UNREACTED,
        occurred_at=at or datetime.now(UTC),
        actor=actor,
        target_type="message",
        target_id=str(payload.message_id),
        target_owner=target_owner,
        properties=properties,
    )


def joined(member: discord.Member) -> ActivityIn:
    """A member joined the server (the gateway's event; the join notice message, when the
    server posts one, is a separate ``member.joined`` with its own id, as in exports)."""
    at = member.joined_at or datetime.now(UTC)
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"join:{member.guild.id}:{member.id}:{int(at.timestamp())}",
        kind=JOINED,
        occurred_at=at,
        actor=person(member),
        properties={},
    )


def left(guild_id: int, user: discord.abc.User, at: datetime | None = None) -> ActivityIn:
    """A member left (or was removed from) the server."""
    when = at or datetime.now(UTC)
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"leave:{guild_id}:{user.id}:{int(when.timestamp())}",
        kind=LEFT,
        occurred_at=when,
        actor=person(user),
    )
