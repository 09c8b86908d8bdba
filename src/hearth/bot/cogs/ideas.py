"""Feature suggestions and polls in chat.

- ``/suggest title [description]`` posts the suggestion in the playbook's ideas channel
  (``suggestions.channel``; else where the command was used) with 👍 and 👎 buttons. A member
  has one vote per suggestion: pressing the other button changes it, pressing the same one again
  takes it back; the message shows the new tally. The buttons keep working across restarts.
- ``/suggestion-status id status [reason]`` (staff: Manage Messages) sets the status. Every
  status change — made here, on the web or with the CLI — is announced in
  ``suggestions.announcement_channel`` (else the ideas channel) and the author is told by direct
  message; a durable cursor (``sync_cursors``) makes each announcement happen once.
- ``/poll question options duration [anonymous]`` (staff) opens a poll with a button per option;
  ``/poll-close id`` closes it early. Polls close on time through ``jobs/workflows.py`` (state
  in the database), and the result is posted under the poll once closed.
- When a suggestion contest closes (the same job, or ``hearth contest close``), its winners and
  prizes are announced in the announcement channel, once (``contests.announced_at``).

The writes are :mod:`hearth.actions.ideas` and :mod:`hearth.actions.polls`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from hearth.actions.contests import Results, access_unannounced_contests, do_mark_contest_announced
from hearth.actions.context import Caller
from hearth.actions.ideas import (
    Suggestion,
    access_status_changes,
    check_post_suggestion,
    check_set_status,
    check_vote,
    do_mark_status_announced,
    do_set_suggestion_message,
    do_start_status_announcements,
    status_label,
)
from hearth.actions.lookup import access_platform_ids
from hearth.actions.polls import (
    Poll,
    access_unannounced_polls,
    check_create_poll,
    check_poll_vote,
    do_close_poll,
    do_mark_poll_announced,
    do_set_poll_message,
)
from hearth.bot.cogs.welcome import text_channel
from hearth.bot.replies import defer, interaction_locale, localized, reply_error, respond
from hearth.connectors.discord_gateway.mapping import PLATFORM, person
from hearth.domain.playbook.durations import parse_duration
from hearth.errors import InputError, PermissionDenied
from hearth.i18n import N_, _
from hearth.jobs.workflows import run_due

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.ideas")
TICK_SECONDS = 30


def _scope(guild: discord.Guild) -> str:
    return f"{PLATFORM}:{guild.id}"


def _is_staff(user: Any) -> bool:
    return isinstance(user, discord.Member) and user.guild_permissions.manage_messages


def _caller(user: Any) -> Caller:
    return Caller(name=f"discord:{user.id}", is_staff=_is_staff(user))


def suggestion_embed(idea: Suggestion, locale: Any) -> discord.Embed:
    embed = discord.Embed(title=f"💡 #{idea.id} {idea.title}"[:256], description=idea.body[:4000])
    embed.add_field(name=localized(N_("Status"), locale), value=status_label(idea.status))
    embed.add_field(
        name=localized(N_("Votes"), locale),
        value=localized(
            N_("👍 {up} · 👎 {down} · score {score}"),
            locale,
            up=idea.up,
            down=idea.down,
            score=idea.score,
        ),
    )
    if idea.status_reason:
        embed.add_field(name=localized(N_("Reason"), locale), value=idea.status_reason[:1024])
    return embed


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"hearth:idea:(?P<way>up|down):(?P<id>[0-9]+)",
):
    """👍 or 👎 under a suggestion; works across restarts."""

    def __init__(self, way: str, suggestion_id: int, count: int = 0) -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.success if way == "up" else discord.ButtonStyle.secondary,
                emoji="👍" if way == "up" else "👎",
                label=str(count),
                custom_id=f"hearth:idea:{way}:{suggestion_id}",
            )
        )
        self.way, self.suggestion_id = way, suggestion_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        return cls(match["way"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            bot: HearthBot = interaction.client  # type: ignore[assignment]
            idea = await bot.ledger.run(
                check_vote,
                Caller(name=f"discord:{interaction.user.id}"),
                self.suggestion_id,
                1 if self.way == "up" else -1,
                voter=person(interaction.user),
                toggle=True,
            )
            locale = interaction.guild_locale
            await interaction.response.edit_message(
                embed=suggestion_embed(idea, locale), view=vote_view(idea)
            )
        except Exception as exc:  # answered to the member like every component error
            await reply_error(interaction, exc)


def vote_view(idea: Suggestion) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton("up", idea.id, idea.up))
    view.add_item(VoteButton("down", idea.id, idea.down))
    return view


class PollButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"hearth:poll:(?P<poll>[0-9]+):(?P<option>[0-9]+)",
):
    """One option of a poll; works across restarts."""

    def __init__(self, poll_id: int, option: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.primary,
                label=(label or str(option + 1))[:80],
                custom_id=f"hearth:poll:{poll_id}:{option}",
            )
        )
        self.poll_id, self.option = poll_id, option

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PollButton:
        return cls(int(match["poll"]), int(match["option"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            bot: HearthBot = interaction.client  # type: ignore[assignment]
            poll = await bot.ledger.run(
                check_poll_vote,
                Caller(name=f"discord:{interaction.user.id}"),
                self.poll_id,
                self.option,
                voter=person(interaction.user),
            )
            await interaction.response.send_message(
                localized(
                    N_("Your vote is recorded: {option}. You can change it until the poll closes."),
                    interaction_locale(interaction),
                    option=poll.options[self.option],
                ),
                ephemeral=True,
            )
        except Exception as exc:  # answered to the member like every component error
            await reply_error(interaction, exc)


def poll_view(poll: Poll) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for index, label in enumerate(poll.options):
        view.add_item(PollButton(poll.id, index, label))
    return view


def poll_embed(poll: Poll, locale: Any) -> discord.Embed:
    embed = discord.Embed(title=f"📊 {poll.question}"[:256])
    stamp = discord.utils.format_dt(poll.closes_at, "R")
    lines = [f"{i + 1}. {label}" for i, label in enumerate(poll.options)]
    embed.description = "\n".join(lines)
    text = N_("Anonymous poll · closes {when}") if poll.anonymous else N_("Closes {when}")
    embed.add_field(name="⏱", value=localized(text, locale, when=stamp))
    return embed


def results_embed(poll: Poll, locale: Any) -> discord.Embed:
    embed = discord.Embed(
        title=localized(N_("Poll results: {question}"), locale, question=poll.question)[:256]
    )
    lines = []
    for row in poll.results:
        mark = "🏆 " if row.winner else ""
        lines.append(f"{mark}**{row.label}** — {row.votes} ({row.percent:g}%)")
    embed.description = "\n".join(lines)
    embed.set_footer(text=localized(N_("{n} voters"), locale, n=poll.voters))
    return embed


class IdeasCog(commands.Cog, name="ideas"):
    """``/suggest``, ``/suggestion-status``, ``/poll``, ``/poll-close`` and their buttons."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self._periodic: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(VoteButton, PollButton)
        await self._start_announcing()

    async def cog_unload(self) -> None:
        if self._periodic is not None:
            self._periodic.cancel()

    async def _start_announcing(self) -> None:
        """Status changes are announced from the first time the bot sees a server on."""
        for guild in self.bot.guilds:
            if self.bot.serves(guild):
                await self.bot.ledger.run(do_start_status_announcements, _scope(guild))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self._start_announcing()
        if self._periodic is None or self._periodic.done():
            self._periodic = asyncio.get_running_loop().create_task(self._every_tick())

    async def _every_tick(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # logged; the next tick tries again
                log.exception("closing polls or announcing failed")
            await asyncio.sleep(TICK_SECONDS)

    async def tick(self) -> None:
        """Close what is due, post poll results and announce status changes."""
        await self.bot.ledger.run(run_due, self.bot.playbook)
        await self.post_poll_results()
        await self.announce_contest_results()
        for guild in self.bot.guilds:
            if self.bot.serves(guild):
                await self.announce_status_changes(guild)

    # -- suggestions -------------------------------------------------------------------------

    def _ideas_channel(self, guild: discord.Guild | None, fallback: Any) -> Any:
        rules = self.bot.playbook.suggestions
        name = rules.channel if rules else None
        found = text_channel(guild, name) if guild is not None and name else None
        return found or fallback

    @app_commands.command(name="suggest", description=_("Suggest a feature."))
    @app_commands.describe(title=_("The idea, in a line."), description=_("More about it."))
    @app_commands.guild_only()
    async def suggest(
        self, interaction: discord.Interaction, title: str, description: str | None = None
    ) -> None:
        locale = interaction_locale(interaction)
        await defer(interaction)
        idea = await self.bot.ledger.run(
            check_post_suggestion,
            Caller(name=f"discord:{interaction.user.id}"),
            title,
            description,
            origin="discord",
            author=person(interaction.user),
        )
        channel = self._ideas_channel(interaction.guild, interaction.channel)
        public = interaction.guild_locale
        embed = suggestion_embed(idea, public)
        embed.set_author(name=interaction.user.display_name)
        message = await channel.send(embed=embed, view=vote_view(idea))
        await self.bot.ledger.run(do_set_suggestion_message, idea.id, channel.id, message.id)
        await respond(
            interaction,
            localized(
                N_("Thanks! Your suggestion #{id} is posted in {channel}."),
                locale,
                id=idea.id,
                channel=channel.mention,
            ),
        )

    @app_commands.command(
        name="suggestion-status", description=_("Set a suggestion's status (staff).")
    )
    @app_commands.default_permissions(manage_messages=True)
    @app_commands.describe(
        suggestion=_("The suggestion's number."),
        status=_("open, planned, in progress, done or declined."),
        reason=_("Why (required when declining)."),
    )
    @app_commands.choices(
        status=[
            app_commands.Choice(name=label, value=value)
            for value, label in (
                ("open", "open"),
                ("planned", "planned"),
                ("in_progress", "in progress"),
                ("done", "done"),
                ("declined", "declined"),
            )
        ]
    )
    @app_commands.guild_only()
    async def suggestion_status(
        self,
        interaction: discord.Interaction,
        suggestion: int,
        status: str,
        reason: str | None = None,
    ) -> None:
        if not _is_staff(interaction.user):
            raise PermissionDenied(_("Only staff may change a suggestion's status."))
        await defer(interaction)
        idea = await self.bot.ledger.run(
            check_set_status, _caller(interaction.user), suggestion, status, reason
        )
        await respond(
            interaction,
            localized(
                N_("Suggestion #{id} is now {status}."),
                interaction_locale(interaction),
                id=idea.id,
                status=status_label(idea.status),
            ),
        )
        if interaction.guild is not None:
            await self.announce_status_changes(interaction.guild)

    async def announce_status_changes(self, guild: discord.Guild) -> int:
        """Announce the status changes not announced yet in ``guild``; returns how many."""
        scope = _scope(guild)
        if await self.bot.ledger.run(do_start_status_announcements, scope):
            return 0
        changes = await self.bot.ledger.read(access_status_changes, scope)
        rules = self.bot.playbook.suggestions
        name = (rules.announcement_channel or rules.channel) if rules else None
        locale = guild.preferred_locale
        posted = 0
        for change in changes:
            idea = change.suggestion
            channel: Any = text_channel(guild, name) if name else None
            if channel is None and idea.channel_id:
                channel = guild.get_channel(int(idea.channel_id))
            text = localized(
                N_("Suggestion #{id} “{title}” is now {status}."),
                locale,
                id=idea.id,
                title=idea.title,
                status=status_label(change.status),
            )
            if change.reason:
                text += "\n" + localized(N_("Reason: {reason}"), locale, reason=change.reason)
            if channel is not None:
                await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
            for chat_id in change.author_chat_ids:
                await self._tell_author(guild, int(chat_id), text)
            await self.bot.ledger.run(do_mark_status_announced, scope, change.activity_id)
            posted += 1
        return posted

    async def _tell_author(self, guild: discord.Guild, user_id: int, text: str) -> None:
        user = guild.get_member(user_id) or self.bot.get_user(user_id)
        if user is None:
            return
        try:
            await user.send(text)
        except discord.HTTPException:  # DMs closed: the channel announcement stays
            log.info("could not tell %s about their suggestion", user_id)

    # -- polls -------------------------------------------------------------------------------

    @app_commands.command(name="poll", description=_("Open a poll (staff)."))
    @app_commands.default_permissions(manage_messages=True)
    @app_commands.describe(
        question=_("The question."),
        options=_("The options, separated by ';'."),
        duration=_("How long it runs: 30m, 2h, 3d..."),
        anonymous=_("Hide who voted (the result still counts every vote)."),
    )
    @app_commands.guild_only()
    async def poll(
        self,
        interaction: discord.Interaction,
        question: str,
        options: str,
        duration: str = "1d",
        anonymous: bool = False,
    ) -> None:
        if not _is_staff(interaction.user):
            raise PermissionDenied(_("Only staff may open polls."))
        try:
            runs = parse_duration(duration)
        except ValueError:
            raise InputError(
                localized(
                    N_("'{value}' is not a duration; try 30m, 2h or 3d."),
                    interaction_locale(interaction),
                    value=duration,
                )
            ) from None
        await defer(interaction)
        poll = await self.bot.ledger.run(
            check_create_poll,
            _caller(interaction.user),
            question,
            options,
            runs,
            anonymous=anonymous,
            creator=person(interaction.user),
        )
        channel = interaction.channel
        message = await channel.send(  # type: ignore[union-attr]
            embed=poll_embed(poll, interaction.guild_locale), view=poll_view(poll)
        )
        await self.bot.ledger.run(do_set_poll_message, poll.id, message.channel.id, message.id)
        await respond(
            interaction,
            localized(N_("Poll {id} is open."), interaction_locale(interaction), id=poll.id),
        )

    @app_commands.command(name="poll-close", description=_("Close a poll now (staff)."))
    @app_commands.default_permissions(manage_messages=True)
    @app_commands.describe(poll=_("The poll's number."))
    @app_commands.guild_only()
    async def poll_close(self, interaction: discord.Interaction, poll: int) -> None:
        await defer(interaction)
        closed = await self.bot.ledger.run(do_close_poll, _caller(interaction.user), poll)
        await respond(
            interaction,
            localized(N_("Poll {id} is closed."), interaction_locale(interaction), id=closed.id),
        )
        await self.post_poll_results()

    async def post_poll_results(self) -> int:
        """Post the result of every closed poll not posted yet; returns how many."""
        posted = 0
        for poll in await self.bot.ledger.read(access_unannounced_polls):
            channel = self.bot.get_channel(int(poll.channel_id or 0))
            guild = getattr(channel, "guild", None)
            if channel is None or not self.bot.serves(guild) or guild is None:
                continue
            await channel.send(embed=results_embed(poll, guild.preferred_locale))  # type: ignore[union-attr]
            await self.bot.ledger.run(do_mark_poll_announced, poll.id)
            posted += 1
        return posted

    # -- suggestion contests -----------------------------------------------------------------

    def _announcement_channel(self, guild: discord.Guild) -> Any:
        rules = self.bot.playbook.suggestions
        name = (rules.announcement_channel or rules.channel) if rules else None
        return text_channel(guild, name) if name else None

    async def announce_contest_results(self) -> int:
        """Announce every closed contest's winners and prizes not announced yet, in each
        served server's announcement channel; returns how many contests were announced."""
        guilds = [g for g in self.bot.guilds if self.bot.serves(g)]
        channels = [c for c in (self._announcement_channel(g) for g in guilds) if c is not None]
        if not channels:
            return 0
        announced = 0
        for results in await self.bot.ledger.read(access_unannounced_contests, self.bot.playbook):
            member_ids = [w.member_id for w in results.winners if w.member_id is not None]
            chat = await self.bot.ledger.read(access_platform_ids, PLATFORM, member_ids)
            for channel in channels:
                await channel.send(
                    embed=contest_embed(results, chat, channel.guild.preferred_locale),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            if await self.bot.ledger.run(do_mark_contest_announced, results.id):
                announced += 1
        return announced


def contest_embed(results: Results, chat: dict[int, str], locale: Any) -> discord.Embed:
    """The results of a contest: each winning suggestion, its author and the prize."""
    title = localized(N_("🏆 Suggestion contest results: {title}"), locale, title=results.title)
    embed = discord.Embed(title=title[:256])
    lines = []
    for w in results.winners:
        if w.member_id is not None and w.member_id in chat:
            who = f"<@{chat[w.member_id]}>"
        else:
            who = w.member_name or localized(N_("an erased member"), locale)
        if w.points is not None:
            prize = localized(N_("{n} points"), locale, n=w.points)
        else:
            prize = localized(
                N_("the badge {badge}"), locale, badge=w.achievement_name or w.achievement
            )
        lines.append(
            localized(
                N_("{place}. #{id} “{title}” by {member} (score {score}): {prize}"),
                locale,
                place=w.place,
                id=w.suggestion_id,
                title=w.title,
                member=who,
                score=w.score,
                prize=prize,
            )
        )
    embed.description = "\n".join(lines) or localized(
        N_("No suggestion reached the score needed to win; no prizes this time."), locale
    )
    return embed


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(IdeasCog(bot))
