"""Fakes for the workflow cogs' Discord calls dpytest lacks: private threads, thread members,
thread edits, bans and unbans, timeouts and DMs — recorded for the tests to look at."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord
from discord.ext.test import factories

from tests.bot.conftest import snowflake, state

calls: list[tuple[str, Any]] = []


def patch_workflow_http(http: Any) -> None:
    calls.clear()
    original_edit = http.edit_channel

    async def start_thread_without_message(
        channel_id: int,
        *,
        name: str,
        auto_archive_duration: int,
        type: int,
        invitable: bool = True,
        rate_limit_per_user: int | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        parent = state().get_channel(channel_id)
        data = {
            "id": snowflake(),
            "guild_id": parent.guild.id,
            "parent_id": channel_id,
            "owner_id": state().user.id,
            "name": name,
            "type": type,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": auto_archive_duration,
                "archive_timestamp": datetime.now(UTC).isoformat(),
                "locked": False,
                "invitable": invitable,
            },
            "newly_created": True,
        }
        state().parse_thread_create(data)
        calls.append(("thread", data))
        return data

    async def add_user_to_thread(channel_id: int, user_id: int) -> None:
        calls.append(("thread_member", (channel_id, user_id)))

    async def edit_channel(channel_id: int, *, reason: str | None = None, **options: Any) -> Any:
        for guild in state().guilds:
            thread = guild.get_thread(channel_id)
            if thread is not None:
                calls.append(("thread_edit", (channel_id, options)))
                data = {
                    "id": thread.id,
                    "guild_id": guild.id,
                    "parent_id": thread.parent_id,
                    "owner_id": thread.owner_id,
                    "name": thread.name,
                    "type": thread.type.value,
                    "last_message_id": None,
                    "rate_limit_per_user": 0,
                    "message_count": 0,
                    "member_count": 1,
                    "thread_metadata": {
                        "archived": options.get("archived", thread.archived),
                        "auto_archive_duration": 1440,
                        "archive_timestamp": datetime.now(UTC).isoformat(),
                        "locked": options.get("locked", thread.locked),
                    },
                }
                state().parse_thread_update(data)
                return data
        return await original_edit(channel_id, reason=reason, **options)

    async def ban(
        user_id: int, guild_id: int, delete_message_seconds: int = 0, reason: str | None = None
    ) -> None:
        calls.append(("ban", (int(user_id), reason)))

    async def unban(user_id: int, guild_id: int, *, reason: str | None = None) -> None:
        calls.append(("unban", (int(user_id), reason)))

    async def edit_member(
        guild_id: int, user_id: int, *, reason: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        calls.append(("edit_member", (int(user_id), fields)))
        guild = state()._get_guild(guild_id)
        return factories.dict_from_member(guild.get_member(int(user_id)))

    for function in (
        start_thread_without_message,
        add_user_to_thread,
        edit_channel,
        ban,
        unban,
        edit_member,
    ):
        setattr(http, function.__name__, function)


def thread_of(guild: discord.Guild, ticket_id: int) -> discord.Thread:
    found = next((t for t in guild.threads if t.name.startswith(f"#{ticket_id} ")), None)
    assert found is not None, "no ticket thread"
    return found
