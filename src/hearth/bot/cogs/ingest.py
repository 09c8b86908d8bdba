"""Live ingest: what happens on the server becomes ledger activities, and nothing is lost
while the bot is away.

The gateway handler: :data:`HANDLED` lists the events this cog turns into activities (the
mapping is :mod:`hearth.connectors.discord_gateway.mapping`), :data:`IGNORED` the ones it
leaves alone on purpose. On every ``ready`` (start and reconnect) :meth:`IngestCog.catch_up`
reads each channel's and thread's history after the latest message the ledger holds for it,
including the public threads and forum posts archived within the catch-up window (archived
threads are not in the gateway's cache); ``(platform, source_id)`` is unique, so what catch-up
and live events both see is stored once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from hearth.actions.channels import access_channel_marks
from hearth.bot.role_changes import role_changed, role_diff
from hearth.connectors.discord_gateway import mapping
from hearth.domain.activity import ActivityIn

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.ingest")

HANDLED = (
    "message",
    "raw_message_edit",
    "raw_message_delete",
    "raw_reaction_add",
    "raw_reaction_remove",
    "member_join",
    "raw_member_remove",
    "member_update",  # roles given or taken (by staff in Discord; the bot's own are skipped)
    "ready",
)
IGNORED = (
    "raw_bulk_message_delete",  # moderation purges: the messages' own deletions are not member acts
    "raw_reaction_clear",  # a moderator clearing reactions: not something the reactors did
    "typing",
    "presence_update",
    "voice_state_update",  # voice presence is not recorded
    "guild_channel_create",  # layout changes are the layout cog's business
    "thread_create",  # a forum post is recorded from its opening message, which follows
)
CATCH_UP_BATCH = 200
# Catch-up starts a little before the last stored message: messages sent within the same
# instant are read again and skipped as duplicates rather than missed.
OVERLAP = timedelta(seconds=1)


class IngestCog(commands.Cog, name="ingest"):
    """Records messages, edits, deletions, reactions, threads, joins and leaves."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot

    # -- live events ------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if self.bot.serves(message.guild):
            await self.bot.ledger.record(mapping.message_activities(message))

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if self.bot.serves(payload.message.guild):
            await self.bot.ledger.record_one(mapping.edited(payload.message))

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        guild = self.bot.get_guild(payload.guild_id) if payload.guild_id else None
        if not self.bot.serves(guild):
            return
        cached = payload.cached_message
        channel = self.bot.get_channel(payload.channel_id) or (
            guild.get_thread(payload.channel_id) if guild else None
        )
        author = cached.author if cached is not None else None
        await self.bot.ledger.record_one(mapping.deleted(payload.message_id, channel, author))

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload)

    async def _reaction(self, payload: discord.RawReactionActionEvent) -> None:
        guild = self.bot.get_guild(payload.guild_id) if payload.guild_id else None
        if not self.bot.serves(guild):
            return
        assert guild is not None
        channel = guild.get_channel_or_thread(payload.channel_id)
        user = payload.member or guild.get_member(payload.user_id)
        cached = self.bot._connection._get_message(payload.message_id)
        author = cached.author if cached is not None else None
        await self.bot.ledger.record_one(mapping.reaction(payload, channel, user, author))

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if self.bot.serves(member.guild):
            await self.bot.ledger.record_one(mapping.joined(member))

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        if self.bot.serves(self.bot.get_guild(payload.guild_id)):
            await self.bot.ledger.record_one(mapping.left(payload.guild_id, payload.user))

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        """Roles staff gave or took in Discord's own interface. The changes the bot made itself
        are recorded, in their own words, by the cog that made them: their echo is skipped."""
        if after.bot or not self.bot.serves(after.guild):
            return
        now = datetime.now(UTC)
        expected = self.bot.expected_role_changes
        found = [
            role_changed(after, role, change, now, properties={"reason": "discord"})
            for change, role in role_diff(before, after)
            if not expected.claim(after.guild.id, after.id, role.id, change)
        ]
        if found:
            await self.bot.ledger.record(found)

    # -- catch-up -----------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        for guild in self.bot.guilds:
            if self.bot.serves(guild):
                await self.catch_up(guild)

    async def catch_up(self, guild: discord.Guild, now: datetime | None = None) -> dict[str, int]:
        """Read what was said while the bot was away; returns the counts stored."""
        now = now or datetime.now(UTC)
        channels = readable_channels(guild)
        marks = await self.bot.ledger.run(
            access_channel_marks, mapping.PLATFORM, [str(c.id) for c in channels]
        )
        days = self.bot.settings.discord_catchup_days
        window = now - timedelta(days=days)
        # A channel the ledger holds nothing of (new, or quiet) is read from the moment of the
        # latest message stored anywhere on the server; on a first start, a few days back.
        floor = max(marks.values()) if marks else window
        # Threads archived since catch-up's starting point (never less than the catch-up window,
        # so a live message stored just before ``ready`` does not hide one) are read too.
        archived = await archived_threads(
            guild, since=min(floor, window) - OVERLAP, known={c.id for c in channels}
        )
        if archived:
            marks.update(
                await self.bot.ledger.run(
                    access_channel_marks, mapping.PLATFORM, [str(t.id) for t in archived]
                )
            )
        archived_ids = {thread.id for thread in archived}
        totals = {"imported": 0, "duplicates": 0, "channels": 0, "archived_threads": 0}
        for channel in [*channels, *archived]:
            mark = marks.get(str(channel.id))
            if channel.id in archived_ids and not has_news(channel, mark):
                continue  # its last message is stored already: no request
            after = (mark or floor) - OVERLAP
            try:
                batch: list[ActivityIn] = []
                async for message in history_after(channel, after):
                    batch.extend(mapping.message_activities(message))
                    if len(batch) >= CATCH_UP_BATCH:
                        self._add(totals, await self.bot.ledger.record(batch))
                        batch = []
                self._add(totals, await self.bot.ledger.record(batch))
                totals["channels"] += 1
                if channel.id in archived_ids:
                    totals["archived_threads"] += 1
            except discord.Forbidden:
                log.info("catch-up: no access to #%s", channel)
            except discord.HTTPException as exc:
                log.warning("catch-up of #%s failed: %s", channel, exc)
        log.info(
            "catch-up of %s: %d channels (%d archived threads), %d new activities, "
            "%d already stored",
            guild.name,
            totals["channels"],
            totals["archived_threads"],
            totals["imported"],
            totals["duplicates"],
        )
        return totals

    @staticmethod
    def _add(totals: dict[str, int], report: Any) -> None:
        totals["imported"] += report.imported
        totals["duplicates"] += report.duplicates


def readable_channels(guild: discord.Guild) -> list[Any]:
    """Text channels, voice channels' chats and the active threads the bot can read."""
    channels: list[Any] = [*guild.text_channels, *guild.voice_channels, *guild.threads]
    return [channel for channel in channels if readable(channel, guild.me)]


def readable(channel: Any, me: discord.Member | None) -> bool:
    if me is None:
        return True
    permissions = channel.permissions_for(me)
    return bool(permissions.read_message_history and permissions.view_channel)


async def archived_threads(
    guild: discord.Guild, *, since: datetime, known: set[int]
) -> list[discord.Thread]:
    """The public threads and forum posts archived after ``since`` in the text and forum
    channels the bot can read, each once, leaving out the ids in ``known`` (the threads
    already read as active ones)."""
    found: dict[int, discord.Thread] = {}
    parents: list[Any] = [*guild.text_channels, *guild.forums]
    for parent in parents:
        if not readable(parent, guild.me):
            continue
        try:
            # Newest archived first (Discord orders them by archive time): stop at ``since``.
            async for thread in parent.archived_threads(limit=None):
                archived_at = thread.archive_timestamp
                if archived_at is not None and archived_at < since:
                    break
                if thread.id not in known:
                    found.setdefault(thread.id, thread)
        except discord.Forbidden:
            log.info("catch-up: no access to the archived threads of #%s", parent)
        except discord.HTTPException as exc:
            log.warning("catch-up: archived threads of #%s failed: %s", parent, exc)
    return list(found.values())


def has_news(thread: discord.Thread, mark: datetime | None) -> bool:
    """Whether ``thread`` may hold messages after ``mark`` (its latest stored message)."""
    if mark is None or thread.last_message_id is None:
        return True
    return discord.utils.snowflake_time(thread.last_message_id) > mark


async def history_after(channel: Any, after: datetime) -> AsyncIterator[discord.Message]:
    async for message in channel.history(limit=None, after=after, oldest_first=True):
        yield message


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(IngestCog(bot))
