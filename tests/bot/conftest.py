"""The bot under dpytest: the real discord.py client on a fake gateway and HTTP API.

dpytest fakes the gateway state and the HTTP calls it knows. What Hearth needs beyond it is
filled in here, through the same two doors Discord uses: gateway payloads parsed by the
client's own ``ConnectionState`` (threads, forum channels, edits, reactions, interactions), and
HTTP methods of dpytest's ``FakeHttp`` (message history after a point, channels with topics
and slow-mode, roles, permission overwrites), plus the interaction-response endpoint, recorded.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from discord.ext.test import backend, factories
from discord.webhook.async_ import AsyncWebhookAdapter
from sqlalchemy import Engine, select

from hearth.bot.client import HearthBot, build_bot
from hearth.domain.playbook.schema import Playbook
from hearth.playbooks.loader import load_playbook
from hearth.settings import Settings
from hearth.store.tables import activities, identities

_ids = itertools.count(1)


def snowflake(at: datetime | None = None) -> int:
    """A fresh Discord id, dated ``at`` (now by default)."""
    return discord.utils.time_snowflake(at or datetime.now(UTC)) + next(_ids)


def state() -> Any:
    return backend.get_state()


# -- channels ---------------------------------------------------------------------------------


def channel_payload(channel: Any, **changes: Any) -> dict[str, Any]:
    """The gateway payload of ``channel`` (text, voice, forum or category) with ``changes``."""
    data: dict[str, Any] = {
        "id": channel.id,
        "type": channel.type.value,
        "guild_id": channel.guild.id,
        "name": channel.name,
        "position": channel.position,
        "parent_id": getattr(channel, "category_id", None),
        "nsfw": False,
        "permission_overwrites": [
            {
                "id": target.id,
                "type": 0 if isinstance(target, discord.Role) else 1,
                "allow": str(ow.pair()[0].value),
                "deny": str(ow.pair()[1].value),
            }
            for target, ow in channel.overwrites.items()
        ],
    }
    if channel.type in (discord.ChannelType.text, discord.ChannelType.forum):
        data["topic"] = channel.topic
        data["rate_limit_per_user"] = channel.slowmode_delay
    if channel.type == discord.ChannelType.forum:
        data["available_tags"] = []
        data["flags"] = 0
    if channel.type == discord.ChannelType.voice:
        data["bitrate"] = 64000
        data["user_limit"] = 0
    data.update(changes)
    return data


def make_channel(
    guild: discord.Guild,
    name: str,
    kind: discord.ChannelType = discord.ChannelType.text,
    *,
    category: discord.CategoryChannel | None = None,
    **fields: Any,
) -> Any:
    data: dict[str, Any] = {
        "id": snowflake(),
        "type": kind.value,
        "guild_id": guild.id,
        "name": name,
        "position": len(guild.channels) + 1,
        "parent_id": category.id if category else None,
        "permission_overwrites": [],
        "nsfw": False,
        "topic": None,
        "rate_limit_per_user": 0,
        "available_tags": [],
        "flags": 0,
        "bitrate": 64000,
        "user_limit": 0,
    }
    data.update(fields)
    state().parse_channel_create(data)
    return guild.get_channel(data["id"])


def make_role(
    guild: discord.Guild, name: str, *, colour: int = 0, permissions: int = 0, hoist: bool = False
) -> discord.Role:
    """A role made by hand in the server (Discord's role payload: colours under ``colors``)."""
    role = {
        "id": snowflake(),
        "name": name,
        "colors": {"primary_color": colour},
        "hoist": hoist,
        "mentionable": False,
        "permissions": str(permissions),
        "position": len(guild.roles),
        "managed": False,
    }
    state().parse_guild_role_create({"guild_id": guild.id, "role": role})
    found = guild.get_role(role["id"])
    assert found is not None
    return found


def make_thread(
    parent: Any, owner: discord.Member, name: str, *, thread_id: int | None = None
) -> discord.Thread:
    """A public thread (in a forum: a post) opened by ``owner``."""
    thread_id = thread_id or snowflake()
    data = {
        "id": thread_id,
        "guild_id": parent.guild.id,
        "parent_id": parent.id,
        "owner_id": owner.id,
        "name": name,
        "type": discord.ChannelType.public_thread.value,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": datetime.now(UTC).isoformat(),
            "locked": False,
        },
        "applied_tags": [],
        "newly_created": True,
    }
    state().parse_thread_create(data)
    thread = parent.guild.get_thread(thread_id)
    assert thread is not None
    return thread


# Archived threads by parent channel: Discord lists them (``/threads/archived/public``), the
# gateway's cache does not hold them.
archived: dict[int, list[dict[str, Any]]] = {}


def archive_thread(thread: discord.Thread, *, at: datetime | None = None) -> None:
    """``thread`` is archived (at ``at``, now by default): the gateway says so (the client drops
    it from its cache) and the archived-threads endpoint lists it from then on."""
    at = at or datetime.now(UTC)
    stored = backend._cur_config.messages.get(thread.id, [])
    data: dict[str, Any] = {
        "id": thread.id,
        "guild_id": thread.guild.id,
        "parent_id": thread.parent_id,
        "owner_id": thread.owner_id,
        "name": thread.name,
        "type": thread.type.value,
        "last_message_id": max((int(m["id"]) for m in stored), default=None),
        "rate_limit_per_user": 0,
        "message_count": len(stored),
        "member_count": 1,
        "thread_metadata": {
            "archived": True,
            "auto_archive_duration": 1440,
            "archive_timestamp": at.isoformat(),
            "locked": False,
        },
        "applied_tags": [],
    }
    state().parse_thread_update(data)
    archived.setdefault(thread.parent_id, []).append(data)


# -- messages, edits, reactions ---------------------------------------------------------------


async def post(
    channel: Any,
    author: discord.Member,
    content: str,
    *,
    at: datetime | None = None,
    message_id: int | None = None,
    dispatch: bool = True,
    reply_to: discord.Message | None = None,
) -> discord.Message:
    """``author`` posts ``content``; with ``dispatch=False`` the bot does not see it (it is
    down), but the message is in the channel's history."""
    message_id = message_id or snowflake(at)
    data = factories.make_message_dict(
        channel, author, message_id, content=content, guild_id=channel.guild.id
    )
    data["member"] = {"roles": [r.id for r in author.roles[1:]], "nick": author.nick}
    if reply_to is not None:
        data["type"] = discord.MessageType.reply.value
        data["message_reference"] = {
            "message_id": reply_to.id,
            "channel_id": reply_to.channel.id,
            "guild_id": channel.guild.id,
        }
        data["referenced_message"] = None
    backend._cur_config.messages.setdefault(channel.id, []).append(data)
    fake = state()
    if dispatch:
        fake.parse_message_create(data)
        await settle()
        found = fake._get_message(message_id)
        if found is not None:
            return found
    return discord.Message(state=fake, channel=channel, data=data)


async def edit(message: discord.Message, content: str) -> None:
    stored = backend._cur_config.messages[message.channel.id]
    data = next(m for m in stored if m["id"] == message.id)
    data["content"] = content
    data["edited_timestamp"] = datetime.now(UTC).isoformat()
    data = dict(data, guild_id=message.guild.id if message.guild else None)
    state().parse_message_update(data)
    await settle()


async def delete(message: discord.Message) -> None:
    backend.delete_message(message)
    await settle()


async def react(member: discord.Member, message: discord.Message, emoji: str, *, add=True) -> None:
    data = {
        "message_id": message.id,
        "channel_id": message.channel.id,
        "guild_id": message.guild.id,
        "user_id": member.id,
        "emoji": {"id": None, "name": emoji},
        "type": 0,
        "burst": False,
        "message_author_id": message.author.id,
    }
    if add:
        data["member"] = factories.dict_from_member(member)
        state().parse_message_reaction_add(data)
    else:
        state().parse_message_reaction_remove(data)
    await settle()


# -- interactions -----------------------------------------------------------------------------

responses: list[dict[str, Any]] = []


async def _record_response(
    self: Any, interaction_id: int, token: str, **kwargs: Any
) -> dict[str, Any]:
    payload = kwargs.get("params").payload if kwargs.get("params") is not None else {}
    responses.append({"interaction_id": interaction_id, **(payload or {})})
    return {"interaction": {"id": str(interaction_id), "type": 3}, "resource": None}


async def _record_followup(
    self: Any, webhook_id: int, token: str, *, payload: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    """A follow-up of a deferred command, recorded like a response (type 4, its data)."""
    data = dict(payload or {})
    responses.append({"interaction_id": webhook_id, "type": 4, "followup": True, "data": data})
    bot_user = state().user
    return {
        "id": str(snowflake()),
        "type": 0,
        "channel_id": str(webhook_id),
        "content": data.get("content") or "",
        "author": {
            "id": str(bot_user.id),
            "username": bot_user.name,
            "discriminator": "0000",
            "avatar": None,
            "bot": True,
        },
        "attachments": [],
        "embeds": data.get("embeds") or [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": datetime.now(UTC).isoformat(),
        "edited_timestamp": None,
        "flags": data.get("flags", 0),
    }


async def interact(
    bot: HearthBot,
    member: discord.Member,
    channel: Any,
    data: dict[str, Any],
    *,
    kind: int = 3,
    message: discord.Message | None = None,
    components: list[dict[str, Any]] | None = None,
    locale: str = "en-US",
) -> list[dict[str, Any]]:
    """``member`` uses a component (``kind`` 3) or a slash command (2); returns the bot's
    responses to it. ``message`` is the message the component is on, with ``components``
    (dpytest does not keep the components the bot sent)."""
    before = len(responses)
    member_data = factories.dict_from_member(member)
    member_data["permissions"] = str(channel.permissions_for(member).value)
    member_data["joined_at"] = datetime.now(UTC).isoformat()
    payload: dict[str, Any] = {
        "id": snowflake(),
        "application_id": bot.user.id,
        "type": kind,
        "token": "token",
        "version": 1,
        "guild_id": channel.guild.id,
        "channel_id": channel.id,
        "channel": {"id": channel.id, "type": channel.type.value},
        "member": member_data,
        "data": data,
        "locale": locale,
        "guild_locale": "en-US",
        "app_permissions": str(discord.Permissions.all().value),
        "entitlements": [],
        "authorizing_integration_owners": {},
        "attachment_size_limit": 8 * 1024 * 1024,
    }
    if message is not None:
        stored = backend._cur_config.messages.get(message.channel.id, [])
        found = next((m for m in stored if m["id"] == message.id), None)
        payload["message"] = dict(found or factories.dict_from_message(message))
        payload["message"].setdefault("flags", 0)
        if components is not None:
            payload["message"]["components"] = components
    state().parse_interaction_create(payload)
    await settle()
    return responses[before:]


async def settle() -> None:
    """Wait for every event handler, view callback and command the bot started."""
    for _ in range(50):
        await dpytest.run_all_events()
        current = asyncio.current_task()
        pending = [
            t
            for t in asyncio.all_tasks()
            if t is not current
            and not t.done()
            and (t.get_name().startswith(("discord-ui", "CommandTree")))
        ]
        if not pending:
            return
        await asyncio.wait(pending, timeout=5)


# -- fake HTTP the bot needs beyond dpytest ---------------------------------------------------


def _guild_channel(channel_id: int) -> Any:
    return next(c for g in state().guilds for c in g.channels if c.id == channel_id)


def _patch_http(http: Any) -> None:
    async def logs_from(
        channel_id: int,
        limit: int,
        before: int | None = None,
        after: int | None = None,
        around: int | None = None,
    ) -> list[dict[str, Any]]:
        messages = sorted(
            backend._cur_config.messages.get(channel_id, []), key=lambda m: int(m["id"])
        )
        if after is not None:
            return list(reversed([m for m in messages if int(m["id"]) > after][:limit]))
        if before is not None:
            messages = [m for m in messages if int(m["id"]) < before]
        return list(reversed(messages[-limit:]))

    async def create_channel(
        guild_id: int, channel_type: int, *, reason: str | None = None, **options: Any
    ) -> dict[str, Any]:
        guild = state()._get_guild(guild_id)
        data = {
            "id": snowflake(),
            "type": channel_type,
            "guild_id": guild_id,
            "name": options["name"],
            "position": len(guild.channels) + 1,
            "parent_id": options.get("parent_id"),
            "permission_overwrites": options.get("permission_overwrites") or [],
            "nsfw": False,
            "topic": options.get("topic"),
            "rate_limit_per_user": options.get("rate_limit_per_user", 0),
            "available_tags": [],
            "flags": 0,
            "bitrate": 64000,
            "user_limit": 0,
        }
        state().parse_channel_create(data)
        return data

    async def edit_channel(
        channel_id: int, *, reason: str | None = None, **options: Any
    ) -> dict[str, Any]:
        channel = _guild_channel(channel_id)
        data = channel_payload(channel, **options)
        state().parse_channel_update(data)
        return data

    async def edit_channel_permissions(
        channel_id: int,
        target_id: int,
        allow: int | str,
        deny: int | str,
        type: int,
        *,
        reason: str | None = None,
    ) -> None:
        channel = _guild_channel(channel_id)
        data = channel_payload(channel)
        kept = [o for o in data["permission_overwrites"] if o["id"] != target_id]
        kept.append({"id": target_id, "type": type, "allow": str(allow), "deny": str(deny)})
        data["permission_overwrites"] = kept
        state().parse_channel_update(data)

    async def create_role(
        guild_id: int, *, reason: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        guild = state()._get_guild(guild_id)
        role = {
            "id": snowflake(),
            "name": fields.get("name", "new role"),
            "colors": fields.get("colors") or {"primary_color": 0},
            "hoist": fields.get("hoist", False),
            "mentionable": fields.get("mentionable", False),
            "permissions": str(fields.get("permissions", 0)),
            "position": len(guild.roles),
            "managed": False,
        }
        state().parse_guild_role_create({"guild_id": guild_id, "role": role})
        return role

    async def edit_role(
        guild_id: int, role_id: int, *, reason: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        guild = state()._get_guild(guild_id)
        role = factories.dict_from_role(guild.get_role(role_id))
        role["colors"] = {"primary_color": guild.get_role(role_id).colour.value}
        role.update(fields)
        role["permissions"] = str(role["permissions"])
        state().parse_guild_role_update({"guild_id": guild_id, "role": role})
        return role

    async def get_public_archived_threads(
        channel_id: int, before: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        def archived_at(data: dict[str, Any]) -> datetime:
            return datetime.fromisoformat(data["thread_metadata"]["archive_timestamp"])

        found = sorted(archived.get(channel_id, []), key=archived_at, reverse=True)
        if before is not None:
            found = [t for t in found if archived_at(t) < datetime.fromisoformat(before)]
        return {"threads": found[:limit], "members": [], "has_more": len(found) > limit}

    for function in (
        logs_from,
        get_public_archived_threads,
        create_channel,
        edit_channel,
        edit_channel_permissions,
        create_role,
        edit_role,
    ):
        setattr(http, function.__name__, function)


# -- the bot ----------------------------------------------------------------------------------

BotFactory = Callable[..., Awaitable[HearthBot]]


@pytest_asyncio.fixture
async def make_bot(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotFactory]:
    """Builds the bot on ``engine`` with the given playbook and cogs, under dpytest: one guild
    with the members ``alice`` and ``bob`` and the playbook's channels when ``layout`` is set."""
    monkeypatch.setattr(AsyncWebhookAdapter, "create_interaction_response", _record_response)
    monkeypatch.setattr(AsyncWebhookAdapter, "execute_webhook", _record_followup)
    responses.clear()
    archived.clear()
    bots: list[HearthBot] = []

    async def factory(
        playbook: Playbook | str = "phoenix",
        *,
        cogs: list[str] | None = None,
        channels: list[str] | None = None,
        **settings: Any,
    ) -> HearthBot:
        book = load_playbook(playbook) if isinstance(playbook, str) else playbook
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=engine.url.render_as_string(hide_password=False),
            discord_sync_commands=False,
            **settings,
        )
        bot = build_bot(config, engine=engine, playbook=book, cogs=cogs)
        await bot._async_setup_hook()
        dpytest.configure(
            bot, text_channels=channels or ["general"], voice_channels=0, members=["alice", "bob"]
        )
        _patch_http(bot.http)
        bot._connection._command_tree = bot.tree  # dpytest's state replaced the real one
        await bot.setup_hook()
        bots.append(bot)
        return bot

    yield factory
    for bot in bots:
        await dpytest.empty_queue()
        bot.ledger.close()


def guild() -> discord.Guild:
    return dpytest.get_config().guilds[0]


def member(name: str) -> discord.Member:
    found = discord.utils.get(guild().members, name=name)
    assert found is not None
    return found


def ledger(engine: Engine, *kinds: str) -> list[dict[str, Any]]:
    """The stored activities (of ``kinds``), oldest first, with the actor's name."""
    query = (
        select(activities, identities.c.handle.label("actor"))
        .select_from(
            activities.outerjoin(identities, identities.c.id == activities.c.actor_identity_id)
        )
        .order_by(activities.c.occurred_at, activities.c.id)
    )
    if kinds:
        query = query.where(activities.c.kind.in_(kinds))
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:  # dpytest's users have old-style discriminators: "alice#0001" → "alice"
        if row["actor"]:
            row["actor"] = row["actor"].split("#")[0]
    return rows
