"""DiscordChatExporter JSON files, streamed a message at a time.

An export is one object: ``guild`` and ``channel`` first, then ``messages``, an array of
message objects (``id``, ``type``, ``timestamp``, ``timestampEdited``, ``isPinned``,
``content``, ``author`` with ``isBot``, ``attachments``, ``reactions`` with counts and, in
recent versions, the ``users`` who reacted, ``mentions``, ``reference``), then
``messageCount``. :class:`~hearth.connectors.discord_export.json_stream.JsonStream` decodes
the messages one by one, so memory is bounded by one message, not by the file.

Message ``type`` decides the activity: ``Default`` and ``Reply`` are posts, ``ThreadCreated``
starts a thread, ``GuildMemberJoin`` is a join; the notices in :data:`IGNORED_TYPES` are not
activities; any other type is imported as a post with its ``message_type``, so nothing a member
wrote is lost when Discord adds a type.

A message with a bad or missing field is one :class:`RecordError` (file, the line the message
starts on, ``message <id>``, the field); the messages around it are kept. JSON that stops being
well-formed ends the file with one error; the messages before it are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hearth.connectors.discord_export.common import (
    JOINED,
    POSTED,
    THREAD,
    Channel,
    ExportOptions,
    Message,
    Reaction,
    channel_from_path,
    identity,
    to_utc,
)
from hearth.connectors.discord_export.json_stream import JsonStream, JsonSyntaxError
from hearth.connectors.validation import first_problem
from hearth.domain.activity import IdentityRef
from hearth.errors import RecordError
from hearth.i18n import _

TYPES = {"Default": POSTED, "Reply": POSTED, "ThreadCreated": THREAD, "GuildMemberJoin": JOINED}
IGNORED_TYPES = frozenset(
    {
        "RecipientAdd",
        "RecipientRemove",
        "Call",
        "ChannelNameChange",
        "ChannelIconChange",
        "ChannelPinnedMessage",
    }
)
# DiscordChatExporter writes types it has no name for as their number; 1-18 are notices.
_NOTICE_NUMBERS = frozenset(str(n) for n in range(1, 19))


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _User(_Model):
    id: str = Field(min_length=1, coerce_numbers_to_str=True)
    name: str
    discriminator: str | None = Field(default=None, coerce_numbers_to_str=True)
    nickname: str | None = None
    isBot: bool = False


class _Emoji(_Model):
    id: str | None = Field(default=None, coerce_numbers_to_str=True)
    name: str


class _Reaction(_Model):
    emoji: _Emoji
    count: int = Field(ge=0)
    users: list[_User] = Field(default_factory=list)


class _Attachment(_Model):
    url: str


class _Reference(_Model):
    messageId: str | None = Field(default=None, coerce_numbers_to_str=True)
    channelId: str | None = Field(default=None, coerce_numbers_to_str=True)


class _Message(_Model):
    id: str = Field(min_length=1, coerce_numbers_to_str=True)
    type: str = "Default"
    timestamp: str
    timestampEdited: str | None = None
    isPinned: bool = False
    content: str | None = ""
    author: _User
    attachments: list[_Attachment] = Field(default_factory=list)
    reactions: list[_Reaction] = Field(default_factory=list)
    mentions: list[Any] = Field(default_factory=list)
    reference: _Reference | None = None


def read_json(path: Path, options: ExportOptions) -> Iterator[Message | RecordError]:
    """The messages of the JSON export at ``path``, or an error per bad message."""
    source = str(path)
    with path.open(encoding="utf-8-sig", errors="strict") as text:
        stream = JsonStream(text)
        try:
            yield from _read_document(stream, path, options)
        except JsonSyntaxError as exc:
            yield RecordError(
                exc.problem + _("; the rest of this file was skipped"), source=source, line=exc.line
            )
        except UnicodeDecodeError as exc:
            yield RecordError(
                _("not UTF-8 text ({reason}); the rest of this file was skipped").format(
                    reason=exc.reason
                ),
                source=source,
                line=stream.line(),
            )


def _read_document(
    stream: JsonStream, path: Path, options: ExportOptions
) -> Iterator[Message | RecordError]:
    source = str(path)
    not_an_export = _(
        "not a DiscordChatExporter JSON export: expected an object with "
        "'guild', 'channel' and a 'messages' list"
    )
    if stream.peek() != "{":
        yield RecordError(not_an_export, source=source, line=stream.line())
        return
    stream.expect("{")
    header: dict[str, Any] = {}
    saw_messages = False
    if stream.peek() == "}":
        stream.expect("}")
    else:
        while True:
            key = stream.value()
            if not isinstance(key, str):
                raise JsonSyntaxError(_("expected a property name"), stream.line())
            stream.expect(":")
            if key == "messages" and stream.peek() == "[":
                saw_messages = True
                channel = _channel_of(header, path, options)
                yield from _read_messages(stream, source, channel, options)
            else:
                header[key] = stream.value()
            if stream.expect(",}") == "}":
                break
    if not saw_messages:
        yield RecordError(not_an_export, source=source, line=1)


def _read_messages(
    stream: JsonStream, source: str, channel: Channel, options: ExportOptions
) -> Iterator[Message | RecordError]:
    stream.expect("[")
    if stream.peek() == "]":
        stream.expect("]")
        return
    while True:
        stream.peek()
        line = stream.line()
        raw = stream.value()
        message = _message(raw, channel, options, source=source, line=line)
        if message is not None:
            yield message
        if stream.expect(",]") == "]":
            return


def _channel_of(header: dict[str, Any], path: Path, options: ExportOptions) -> Channel:
    raw = header.get("channel")
    if isinstance(raw, dict) and raw.get("name") and raw.get("id"):
        category = raw.get("category")
        return Channel(
            name=str(raw["name"]),
            id=str(raw["id"]),
            category=str(category) if category else None,
        )
    return channel_from_path(path, options.channel)


def _message(
    raw: Any, channel: Channel, options: ExportOptions, *, source: str, line: int
) -> Message | RecordError | None:
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    element = f"message {raw_id}" if raw_id is not None else None

    def error(problem: str, field: str | None = None) -> RecordError:
        return RecordError(problem, source=source, line=line, element=element, field=field)

    if not isinstance(raw, dict):
        return error(_("expected a message object"))
    try:
        parsed = _Message.model_validate(raw)
    except ValidationError as exc:
        return error(*first_problem(exc))
    if parsed.type in IGNORED_TYPES or parsed.type in _NOTICE_NUMBERS:
        return None
    kind = TYPES.get(parsed.type, POSTED)
    try:
        occurred_at = to_utc(datetime.fromisoformat(parsed.timestamp), options.zone)
    except ValueError:
        return error(
            _("expected an ISO 8601 date and time such as {example}, not '{value}'").format(
                example="2020-06-05T07:13:00.123+00:00", value=parsed.timestamp[:40]
            ),
            "timestamp",
        )
    author = _identity(parsed.author, options)
    reference = parsed.reference
    return Message(
        source_id=parsed.id,
        kind=kind,
        occurred_at=occurred_at,
        author=author,
        channel=channel,
        content=parsed.content or "",
        attachments=[a.url for a in parsed.attachments if a.url],
        reactions=_reaction_counts(parsed.reactions),
        reply_to=reference.messageId if reference and parsed.type == "Reply" else None,
        mentions=len(parsed.mentions),
        pinned=parsed.isPinned,
        edited=parsed.timestampEdited is not None,
        thread_id=reference.channelId if reference and kind == THREAD else None,
        message_type=parsed.type if parsed.type not in TYPES else None,
        reacted=[
            Reaction(
                emoji=reaction.emoji.name,
                key=reaction.emoji.id or reaction.emoji.name,
                users=tuple(_identity(user, options) for user in reaction.users),
            )
            for reaction in parsed.reactions
            if reaction.users
        ],
    )


def _identity(user: _User, options: ExportOptions) -> IdentityRef:
    discriminator = user.discriminator
    is_bot = user.isBot or options.bots.listed(user.id, user.name, discriminator)
    return identity(user.id, user.name, discriminator, nickname=user.nickname, is_bot=is_bot)


def _reaction_counts(reactions: list[_Reaction]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reaction in reactions:
        counts[reaction.emoji.name] = counts.get(reaction.emoji.name, 0) + reaction.count
    return counts
