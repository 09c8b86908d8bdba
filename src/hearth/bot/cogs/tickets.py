"""Support tickets in Discord: ``/ticket`` opens a private thread, staff answer in it.

- ``/ticket category subject`` opens a ticket (:func:`hearth.actions.tickets.check_open_ticket`)
  and a **private thread** under the playbook's ``support.channel``: the member is added to it,
  staff see it because they may manage threads (the ``support.staff_role`` is mentioned). The
  member is told when to expect a first answer.
- Every message in the thread goes to the transcript (``do_add_message``); the first one by
  someone other than the member records the first-response time.
- ``/tickets claim``, ``/tickets handover member``, ``/tickets close [reason]``, ``/tickets
  reopen`` in the thread; **Claim** and **Close** buttons under the first message. On close
  the member gets **1-5** rating buttons. The buttons work across restarts.
- Posts in a ``support.help_forums`` forum are tickets too
  (:mod:`hearth.actions.forum_tickets`): opened when the post appears (or on catch-up after
  downtime: the thread id is the ticket's source key, so never twice), every message filed,
  the first by someone other than the asker recorded as the first response.
- ``/solved helper`` in such a post: the asker (or staff) marks it solved, which records
  ``thread.solved`` with the helper as target owner (the playbook's ``helped`` rules credit
  them) and closes the post's ticket as solved.
- Commands acknowledge at once (a private deferred response) and follow up after the
  database and chat work, so Discord's 3-second limit is never missed.
- Every ``sweep_seconds`` the scheduled sweep (:mod:`hearth.jobs.tickets`) runs, and its
  notices are posted: reminders and alerts to staff, inactivity warnings and closes to the
  member. Its state is in the database, so a restart neither repeats nor loses a step.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from hearth.actions.forum_tickets import (
    ForumPost,
    access_forum_marks,
    do_file_forum_message,
    do_open_forum_ticket,
    do_solve_forum_ticket,
)
from hearth.actions.people import do_member_for
from hearth.actions.ticket_reads import access_ticket_channel
from hearth.actions.tickets import (
    Notice,
    check_open_ticket,
    check_rate_ticket,
    do_add_message,
    do_attach_channel,
    do_claim_ticket,
    do_close_ticket,
    do_reopen_ticket,
    support_of,
)
from hearth.bot.callers import caller_for, is_support_staff
from hearth.bot.replies import defer, interaction_locale, localized, reply_error, respond
from hearth.connectors.discord_gateway.mapping import person, someone
from hearth.domain.activity import ActivityIn
from hearth.errors import Conflict, InputError, PermissionDenied
from hearth.i18n import N_, _
from hearth.jobs.tickets import sweep

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.tickets")
SWEEP_SECONDS = 60.0


def stamp(at: datetime) -> str:
    """A Discord timestamp: shown in each reader's own time zone."""
    return f"<t:{int(at.timestamp())}:f>"


class TicketButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"hearth:ticket:(?P<action>claim|close|rate):(?P<ticket>[0-9]+)(?::(?P<n>[1-5]))?",
):
    """Claim, Close and the 1-5 rating under a ticket's messages; they work across restarts."""

    def __init__(self, action: str, ticket: int, n: int | None = None, label: str = "") -> None:
        suffix = f":{n}" if n is not None else ""
        style = {
            "claim": discord.ButtonStyle.primary,
            "close": discord.ButtonStyle.secondary,
        }.get(action, discord.ButtonStyle.success)
        super().__init__(
            discord.ui.Button(
                style=style,
                label=label or action,
                custom_id=f"hearth:ticket:{action}:{ticket}{suffix}",
            )
        )
        self.action, self.ticket, self.n = action, ticket, n

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> TicketButton:
        n = int(match["n"]) if match["n"] else None
        return cls(match["action"], int(match["ticket"]), n)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            cog = interaction.client.get_cog("tickets")  # type: ignore[attr-defined]
            assert isinstance(cog, TicketsCog)
            await cog.button(interaction, self.action, self.ticket, self.n)
        except Exception as exc:  # answered to the member like every component error
            await reply_error(interaction, exc)


def ticket_view(ticket: int, locale: Any) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TicketButton("claim", ticket, label=localized(N_("Claim"), locale)))
    view.add_item(TicketButton("close", ticket, label=localized(N_("Close"), locale)))
    return view


def rating_view(ticket: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for n in range(1, 6):
        view.add_item(TicketButton("rate", ticket, n, label="★" * n))
    return view


class TicketsCog(commands.Cog, name="tickets"):
    """``/ticket``, ``/tickets ...``, ``/solved``, transcripts and the sweep."""

    tickets = app_commands.Group(
        name="tickets", description=_("Work on the support ticket of this thread."), guild_only=True
    )

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.sweep_seconds = SWEEP_SECONDS
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(TicketButton)
        if self.bot.playbook.support is not None:
            self._task = asyncio.get_running_loop().create_task(self._sweeping())

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()

    # -- opening --------------------------------------------------------------------------

    async def category_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        support = self.bot.playbook.support
        if support is None:
            return []
        return [
            app_commands.Choice(name=c.name[:100], value=c.key)
            for c in support.categories
            if current.lower() in c.name.lower() or current.lower() in c.key
        ][:25]

    @app_commands.command(name="ticket", description=_("Open a private support ticket."))
    @app_commands.describe(
        category=_("What the ticket is about."), subject=_("Your question or problem, in a line.")
    )
    @app_commands.autocomplete(category=category_choices)
    @app_commands.guild_only()
    async def ticket(self, interaction: discord.Interaction, category: str, subject: str) -> None:
        locale = interaction_locale(interaction)
        # the thread and the database take longer than Discord's 3 seconds at times
        await defer(interaction)
        support = support_of(self.bot.playbook)
        guild = interaction.guild
        if guild is None:
            raise Conflict(localized(N_("Tickets are opened in the server."), locale))
        parent: Any = interaction.channel
        if isinstance(parent, discord.Thread):
            parent = parent.parent
        if support.channel:
            parent = discord.utils.get(guild.text_channels, name=support.channel) or parent
        if not isinstance(parent, discord.TextChannel):
            raise InputError(_("Tickets are opened from a text channel."))
        caller = await caller_for(self.bot, interaction.user)
        opened = await self.bot.ledger.run(
            check_open_ticket,
            caller,
            self.bot.playbook,
            category,
            subject,
            opened_on="discord",
            author_name=interaction.user.display_name,
        )
        thread = await parent.create_thread(
            name=f"#{opened.id} {subject}"[:100],
            type=discord.ChannelType.private_thread,
            invitable=False,
            reason=f"ticket {opened.id}",
        )
        await thread.add_user(interaction.user)
        await self.bot.ledger.run(do_attach_channel, opened.id, str(thread.id))
        found = support.category(category)
        staff = discord.utils.get(guild.roles, name=support.staff_role or "")
        server_locale = guild.preferred_locale
        await thread.send(
            localized(
                N_(
                    "Ticket #{id} ({category}) from {member}: {subject}\n{staff}A first answer "
                    "is expected by {due}. Write here; only you and the team see this thread."
                ),
                server_locale,
                id=opened.id,
                category=found.name if found else category,
                member=interaction.user.mention,
                subject=subject,
                staff=f"{staff.mention} " if staff else "",
                due=stamp(opened.due_at),
            ),
            view=ticket_view(opened.id, server_locale),
            allowed_mentions=discord.AllowedMentions(
                users=[interaction.user], roles=[staff] if staff else False, everyone=False
            ),
        )
        await respond(
            interaction,
            localized(
                N_("Your ticket #{id} is open in {thread}. Expect a first answer by {due}."),
                locale,
                id=opened.id,
                thread=thread.mention,
                due=stamp(opened.due_at),
            ),
        )

    # -- messages in ticket threads -------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not isinstance(message.channel, discord.Thread):
            return
        if not self.bot.serves(message.guild):
            return
        if self.help_post(message.channel) is not None:
            await self.file_forum_message(message.channel, message)
            return
        if not message.content.strip():
            return
        found = await self.bot.ledger.read(access_ticket_channel, str(message.channel.id))
        if found is None:
            return
        caller = await caller_for(self.bot, message.author)
        try:
            await self.bot.ledger.run(
                do_add_message,
                caller,
                found[0],
                message.content,
                source_id=str(message.id),
                author_name=message.author.display_name,
                at=message.created_at,
            )
        except PermissionDenied:  # someone added to the thread by hand who is not staff
            log.warning("message %s in ticket %s not filed", message.id, found[0])

    # -- claim, hand over, close, reopen, rate --------------------------------------------

    async def _here(self, interaction: discord.Interaction) -> int:
        channel = interaction.channel
        found = None
        if channel is not None:
            found = await self.bot.ledger.read(access_ticket_channel, str(channel.id))
        if found is None:
            raise InputError(_("Use this in the thread of a ticket."))
        return found[0]

    @tickets.command(name="claim", description=_("Take this ticket on."))
    async def claim(self, interaction: discord.Interaction) -> None:
        await defer(interaction)
        await self._claim(interaction, await self._here(interaction), None)

    @tickets.command(name="handover", description=_("Hand this ticket over to someone."))
    @app_commands.describe(member=_("Who takes the ticket on."))
    async def handover(self, interaction: discord.Interaction, member: discord.Member) -> None:
        await defer(interaction)
        await self._claim(interaction, await self._here(interaction), member)

    async def _announce(
        self,
        interaction: discord.Interaction,
        text: str,
        *,
        view: discord.ui.View | None = None,
        mentions: discord.AllowedMentions | None = None,
    ) -> None:
        """Say ``text`` in the ticket's thread for all to see, and confirm it to the caller
        (the command was deferred privately, so that errors stay private)."""
        channel = interaction.channel
        none = discord.AllowedMentions.none()
        if isinstance(channel, discord.Thread | discord.TextChannel):
            await channel.send(
                text, view=view or discord.utils.MISSING, allowed_mentions=mentions or none
            )
        await respond(interaction, text, allowed_mentions=none)

    async def _claim(
        self, interaction: discord.Interaction, ticket: int, to: discord.Member | None
    ) -> None:
        await defer(interaction)
        caller = await caller_for(self.bot, interaction.user)
        assignee = None
        if to is not None:
            if not is_support_staff(self.bot, to):
                raise InputError(_("Tickets are handed over to staff."))
            assignee = (await caller_for(self.bot, to)).member_id
        await self.bot.ledger.run(do_claim_ticket, caller, ticket, assignee)
        who = to or interaction.user
        if isinstance(interaction.channel, discord.Thread) and to is not None:
            await interaction.channel.add_user(to)
        await self._announce(
            interaction,
            localized(
                N_("{member} is taking care of ticket #{id}."),
                interaction.guild_locale,
                member=who.mention,
                id=ticket,
            ),
            mentions=discord.AllowedMentions(users=[who], roles=False, everyone=False),
        )

    @tickets.command(name="close", description=_("Close this ticket."))
    @app_commands.describe(reason=_("solved (default), staff or member."))
    @app_commands.choices(
        reason=[
            app_commands.Choice(name="solved", value="solved"),
            app_commands.Choice(name="staff", value="staff"),
            app_commands.Choice(name="member", value="member"),
        ]
    )
    async def close(self, interaction: discord.Interaction, reason: str | None = None) -> None:
        await defer(interaction)
        await self._close(interaction, await self._here(interaction), reason)

    async def _close(
        self, interaction: discord.Interaction, ticket: int, reason: str | None
    ) -> None:
        await defer(interaction)
        caller = await caller_for(self.bot, interaction.user)
        await self.bot.ledger.run(do_close_ticket, caller, ticket, reason)
        await self._announce(
            interaction,
            localized(
                N_("Ticket #{id} is closed; /tickets reopen opens it again."),
                interaction.guild_locale,
                id=ticket,
            ),
        )
        if isinstance(interaction.channel, discord.Thread):
            await self._rating_prompt(interaction.channel, ticket)

    async def _rating_prompt(self, thread: discord.Thread, ticket: int) -> None:
        await thread.send(
            localized(
                N_("How did we do? The member who opened ticket #{id} can rate the help."),
                thread.guild.preferred_locale,
                id=ticket,
            ),
            view=rating_view(ticket),
        )

    @tickets.command(name="reopen", description=_("Open this ticket again."))
    async def reopen(self, interaction: discord.Interaction) -> None:
        await defer(interaction)
        ticket = await self._here(interaction)
        caller = await caller_for(self.bot, interaction.user)
        await self.bot.ledger.run(do_reopen_ticket, caller, ticket)
        if isinstance(interaction.channel, discord.Thread) and interaction.channel.archived:
            await interaction.channel.edit(archived=False, locked=False)
        await self._announce(
            interaction,
            localized(N_("Ticket #{id} is open again."), interaction.guild_locale, id=ticket),
        )

    async def button(
        self, interaction: discord.Interaction, action: str, ticket: int, n: int | None
    ) -> None:
        if action == "claim":
            await self._claim(interaction, ticket, None)
        elif action == "close":
            await self._close(interaction, ticket, None)
        else:
            caller = await caller_for(self.bot, interaction.user)
            await self.bot.ledger.run(check_rate_ticket, caller, ticket, n or 0)
            await interaction.response.send_message(
                localized(
                    N_("Thank you for rating ticket #{id}: {stars}."),
                    interaction_locale(interaction),
                    id=ticket,
                    stars="★" * (n or 0),
                ),
                ephemeral=True,
            )

    # -- help forums ----------------------------------------------------------------------

    @app_commands.command(name="solved", description=_("Mark this help post solved."))
    @app_commands.describe(helper=_("Who solved it (they are credited)."))
    @app_commands.guild_only()
    async def solved(self, interaction: discord.Interaction, helper: discord.Member) -> None:
        locale = interaction_locale(interaction)
        thread = self.help_post(interaction.channel)
        if thread is None:
            raise InputError(_("Use this in a post of a help forum."))
        if thread.owner_id != interaction.user.id and not is_support_staff(
            self.bot, interaction.user
        ):
            raise PermissionDenied(_("Only the member who asked, or staff, mark a post solved."))
        if helper.bot:
            raise InputError(_("Credit the person who helped, not a bot."))
        await defer(interaction)
        now = datetime.now(UTC)
        report = await self.bot.ledger.record(
            [
                ActivityIn(
                    platform="discord",
                    source_id=f"{thread.id}:solved",
                    kind="thread.solved",
                    occurred_at=now,
                    actor=person(interaction.user),
                    target_type="thread",
                    target_id=str(thread.id),
                    target_owner=person(helper),
                    properties={"self_accepted": helper.id == thread.owner_id},
                )
            ]
        )
        caller = await caller_for(self.bot, interaction.user)
        asker = await self._asker(thread)
        ticket = await self.bot.ledger.run(
            do_solve_forum_ticket, self.bot.playbook, caller, asker, post_of(thread), at=now
        )
        if not report.imported and ticket is None:
            raise Conflict(localized(N_("This post is already marked solved."), locale))
        await self._announce(
            interaction,
            localized(
                N_("✅ Solved, thanks to {helper}."),
                interaction.guild_locale,
                helper=helper.mention,
            ),
            mentions=discord.AllowedMentions(users=[helper], roles=False, everyone=False),
        )
        if ticket is not None:
            await self._rating_prompt(thread, ticket)

    # -- help-forum posts are tickets -------------------------------------------------------

    def help_post(self, channel: Any) -> discord.Thread | None:
        """``channel`` when it is a post (a thread) of one of the playbook's help forums."""
        support = self.bot.playbook.support
        if support is None or not support.help_forums or not isinstance(channel, discord.Thread):
            return None
        parent = channel.parent
        return channel if parent is not None and parent.name in support.help_forums else None

    async def _asker(self, thread: discord.Thread) -> int:
        owner = thread.owner_id or thread.id
        member: int = await self.bot.ledger.run(do_member_for, someone(owner, thread.guild))
        return member

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        """A new help-forum post opens its ticket (its opening message follows)."""
        if self.help_post(thread) is None or not self.bot.serves(thread.guild):
            return
        asker = await self._asker(thread)
        await self.bot.ledger.run(do_open_forum_ticket, self.bot.playbook, asker, post_of(thread))

    async def file_forum_message(self, thread: discord.Thread, message: discord.Message) -> None:
        """File a message of a help-forum post in its ticket (opened first when new)."""
        if message.author.bot or message.type in (
            discord.MessageType.thread_created,
            discord.MessageType.thread_starter_message,
        ):
            return
        caller = await caller_for(self.bot, message.author)
        asker = caller.member_id if message.author.id == thread.owner_id else None
        await self.bot.ledger.run(
            do_file_forum_message,
            self.bot.playbook,
            asker if asker is not None else await self._asker(thread),
            post_of(thread),
            caller,
            message.content,
            message_id=str(message.id),
            author_name=message.author.display_name,
            at=message.created_at,
        )

    async def _archived_posts(self, guild: discord.Guild) -> list[discord.Thread]:
        """The help forums' posts archived within the catch-up window (not in the cache)."""
        support = self.bot.playbook.support
        names = set(support.help_forums) if support else set()
        since = datetime.now(UTC) - timedelta(days=self.bot.settings.discord_catchup_days)
        found: list[discord.Thread] = []
        for forum in guild.forums:
            if forum.name not in names:
                continue
            try:
                async for thread in forum.archived_threads(limit=None):
                    if thread.archive_timestamp < since:
                        break
                    found.append(thread)
            except discord.HTTPException as exc:
                log.warning("archived posts of #%s not read: %s", forum.name, exc)
        return found

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        for guild in self.bot.guilds:
            if self.bot.serves(guild):
                try:
                    await self.catch_up_forums(guild)
                except Exception:  # logged; the next ready tries again
                    log.exception("help-forum catch-up of %s failed", guild.name)

    async def catch_up_forums(
        self, guild: discord.Guild, threads: list[discord.Thread] | None = None
    ) -> int:
        """Open the tickets of help-forum posts made while the bot was away and file the
        messages it missed (each post's history after the last message filed); ``threads``:
        the posts to read (default: the server's active threads and the help forums' posts
        archived within the catch-up window). Returns the messages read."""
        fetched: set[int] = set()  # archived posts, just fetched: their last message is known
        if threads is None:
            archived = await self._archived_posts(guild)
            fetched = {t.id for t in archived}
            threads = [*guild.threads, *archived]
        posts = [t for t in threads if self.help_post(t)]
        marks = await self.bot.ledger.read(access_forum_marks, [str(t.id) for t in posts])
        read = 0
        for thread in posts:
            if str(thread.id) not in marks:
                asker = await self._asker(thread)
                await self.bot.ledger.run(
                    do_open_forum_ticket, self.bot.playbook, asker, post_of(thread)
                )
            mark = marks.get(str(thread.id))
            last = thread.last_message_id if thread.id in fetched else None
            if mark and last and int(mark) >= last:
                continue  # its latest message is filed: no request
            after = discord.Object(int(mark)) if mark else None
            try:
                async for message in thread.history(limit=None, after=after, oldest_first=True):
                    await self.file_forum_message(thread, message)
                    read += 1
            except discord.HTTPException as exc:
                log.warning("catch-up of help post %s failed: %s", thread.id, exc)
        return read

    # -- the sweep ------------------------------------------------------------------------

    async def _sweeping(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            try:
                await self.run_sweep()
            except Exception:  # logged; the next round tries again
                log.exception("ticket sweep failed")
            await asyncio.sleep(self.sweep_seconds)

    async def run_sweep(self, now: datetime | None = None) -> list[Notice]:
        """Run the sweep once and post its notices."""
        notices = await self.bot.ledger.run(sweep, self.bot.playbook, now)
        for notice in notices:
            await self.deliver(notice)
        return notices

    async def deliver(self, notice: Notice) -> None:
        thread = self.bot.get_channel(int(notice.channel_id)) if notice.channel_id else None
        if not isinstance(thread, discord.Thread):
            return
        guild = thread.guild
        support = self.bot.playbook.support
        staff = discord.utils.get(guild.roles, name=support.staff_role or "") if support else None
        locale = guild.preferred_locale
        mention = staff.mention if staff else ""
        owner = await self.bot.ledger.read(_discord_id_of, notice.member_id)
        member = f"<@{owner}>" if owner else ""
        texts = {
            "remind": N_("{staff} Ticket #{id} needs a first answer by {due}."),
            "alert": N_("{staff} Ticket #{id} missed its first-answer target ({due})."),
            "warn": N_(
                "{member} This ticket has been quiet for a while; it will be closed unless "
                "someone writes here."
            ),
            "close": N_("Ticket #{id} was closed for inactivity. {member} How did we do?"),
        }
        await thread.send(
            localized(
                texts[notice.step],
                locale,
                staff=mention,
                member=member,
                id=notice.ticket_id,
                due=stamp(notice.due_at),
            ),
            view=rating_view(notice.ticket_id) if notice.step == "close" else discord.utils.MISSING,
            allowed_mentions=discord.AllowedMentions(
                users=True, roles=[staff] if staff else False, everyone=False
            ),
        )
        if notice.step == "close":
            await thread.edit(archived=True)


def post_of(thread: discord.Thread) -> ForumPost:
    """A help-forum post as the actions see it."""
    return ForumPost(
        thread_id=str(thread.id),
        title=thread.name,
        opened_at=thread.created_at or discord.utils.snowflake_time(thread.id),
        tags=tuple(tag.name for tag in thread.applied_tags),
    )


def _discord_id_of(engine: Any, member_id: int) -> str | None:
    from hearth.actions.lookup import access_platform_ids

    return access_platform_ids(engine, "discord", [member_id]).get(member_id)


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(TicketsCog(bot))
