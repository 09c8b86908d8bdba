"""Moderation in Discord: ``/warn``, ``/timeout``, ``/ban``, ``/unban``, ``/case``, ``/appeal``,
``/report`` and the message menu **Report message**; automatic moderation; bans that end.

Every action is a case (:mod:`hearth.actions.moderation`), applied on Discord (timeouts, bans),
posted to the playbook's ``server.mod_log_channel`` and told to the member by DM with the
reason and how to appeal. ``/case`` shows a member's cases, strikes, their accounts and
activity across platforms, and the ladder's next step, which every action's reply repeats.
Reports are private: the reporter is answered alone, the moderators see the report in the
mod-log, the member reported is not told.

Every minute (and at start) temporary bans whose time is up are lifted
(:func:`hearth.jobs.moderation.lift_expired`) and the lifts applied on Discord; both are
marked in the database, so a restart neither loses nor repeats one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from hearth.actions.context import Caller
from hearth.actions.lookup import access_platform_ids
from hearth.actions.moderation import (
    Taken,
    access_pending_lifts,
    check_appeal,
    check_report,
    check_take_action,
    do_mark_lift_applied,
    do_unban,
)
from hearth.actions.moderation_reads import (
    access_cases,
    access_member_history,
    access_proposal,
)
from hearth.bot.callers import caller_for
from hearth.bot.locales import member_locale
from hearth.bot.replies import defer, interaction_locale, localized, respond
from hearth.domain.moderation import automod_hits
from hearth.domain.playbook.durations import parse_duration
from hearth.errors import InputError
from hearth.i18n import N_, _
from hearth.jobs.moderation import lift_expired

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

log = logging.getLogger("hearth.bot.moderation")
JOB_SECONDS = 60.0
ACTION_NAMES = {
    "warning": N_("a warning"),
    "timeout": N_("a timeout"),
    "temporary_ban": N_("a temporary ban"),
    "permanent_ban": N_("a permanent ban"),
}
AUTOMOD = Caller(name="automod", role="moderator")


def _duration(text: str | None) -> timedelta | None:
    if not text:
        return None
    try:
        return parse_duration(text.strip())
    except ValueError:
        raise InputError(_("Say how long as, for example, 10m, 12h or 7d.")) from None


def _member_id_of(engine: Any, discord_id: int) -> int | None:
    from hearth.actions.lookup import access_member_for_identity

    return access_member_for_identity(engine, "discord", str(discord_id))


class ModerationCog(commands.Cog, name="moderation"):
    """Moderators' commands, members' reports and appeals, automod and the ban job."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot
        self.job_seconds = JOB_SECONDS
        self._task: asyncio.Task[None] | None = None
        self._recent: dict[int, deque[datetime]] = defaultdict(lambda: deque(maxlen=50))
        self.report_menu = app_commands.ContextMenu(
            name="Report message", callback=self.report_message
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.report_menu)
        self._task = asyncio.get_running_loop().create_task(self._job())

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.report_menu.name, type=self.report_menu.type)
        if self._task is not None:
            self._task.cancel()

    # -- telling people -------------------------------------------------------------------

    async def mod_log(self, guild: discord.Guild | None, text: str) -> None:
        name = self.bot.server.mod_log_channel
        channel = discord.utils.get(guild.text_channels, name=name) if guild and name else None
        if channel is not None:
            await channel.send(text, allowed_mentions=discord.AllowedMentions.none())

    async def tell(self, user: discord.Member | discord.User, text: str) -> bool:
        """A DM to the member; False when their DMs are closed."""
        try:
            await user.send(text)
        except discord.HTTPException:
            return False
        return True

    # -- the actions ----------------------------------------------------------------------

    async def _act(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        action: str,
        reason: str,
        *,
        duration: timedelta | None = None,
        severe: bool = False,
    ) -> None:
        locale = interaction_locale(interaction)
        await defer(interaction)
        caller = await caller_for(self.bot, interaction.user)
        target = await caller_for(self.bot, member)
        assert target.member_id is not None
        standing = await self.bot.ledger.read(
            access_proposal, caller, self.bot.playbook, target.member_id, severe=severe
        )
        taken: Taken = await self.bot.ledger.run(
            check_take_action,
            caller,
            self.bot.playbook,
            target.member_id,
            action,
            reason,
            duration=duration,
            severe=severe,
            platform="discord",
        )
        guild = interaction.guild
        assert guild is not None
        until = f" <t:{int(taken.ends_at.timestamp())}:f>" if taken.ends_at else ""
        server_locale = guild.preferred_locale
        # The member's language (not the moderator's): theirs when known, else the server's.
        member_lang = member_locale(self.bot, member, guild)
        told = await self.tell(
            member,
            localized(
                N_(
                    "You received {action} in {server}{until}. Reason: {reason}\nCase #{case}: "
                    "appeal it with /appeal or on the community site."
                ),
                member_lang,
                action=localized(ACTION_NAMES[action], member_lang),
                server=guild.name,
                until=(" " + localized(N_("until"), member_lang) + until) if until else "",
                reason=reason,
                case=taken.case_id,
            ),
        )
        if action == "timeout" and taken.ends_at is not None:
            await member.timeout(taken.ends_at, reason=f"case {taken.case_id}")
        elif action in ("temporary_ban", "permanent_ban"):
            await guild.ban(member, reason=f"case {taken.case_id}", delete_message_seconds=0)
        await self.mod_log(
            guild,
            localized(
                N_("Case #{case}: {moderator} gave {member} {action}{until}. Reason: {reason}"),
                server_locale,
                case=taken.case_id,
                moderator=interaction.user.mention,
                member=f"{member.mention} ({member})",
                action=localized(ACTION_NAMES[action], server_locale),
                until=until,
                reason=reason,
            ),
        )
        proposal = standing.proposal
        advice = ""
        if proposal.action is not None:
            advice = localized(
                N_("This was violation {n}; the ladder proposed {action}."),
                locale,
                n=proposal.violation,
                action=localized(ACTION_NAMES[proposal.action], locale)
                + (f" ({_span(proposal.duration)})" if proposal.duration else ""),
            )
        after = await self.bot.ledger.read(
            access_proposal, caller, self.bot.playbook, target.member_id
        )
        nxt = after.proposal
        if nxt.action is not None:
            advice += " " + localized(
                N_("A next violation would call for {action}."),
                locale,
                action=localized(ACTION_NAMES[nxt.action], locale)
                + (f" ({_span(nxt.duration)})" if nxt.duration else ""),
            )
        await respond(
            interaction,
            localized(N_("Case #{case} recorded."), locale, case=taken.case_id)
            + (" " + advice.strip() if advice.strip() else "")
            + ("" if told else " " + localized(N_("(The member's DMs are closed.)"), locale)),
        )

    @app_commands.command(
        name="warn", description=_("Warn a member for a code-of-conduct violation.")
    )
    @app_commands.describe(
        member=_("Who."), reason=_("Why (the member is told)."), severe=_("A severe violation.")
    )
    @app_commands.default_permissions(moderate_members=True)
    @app_commands.guild_only()
    async def warn(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        reason: str,
        severe: bool = False,
    ) -> None:
        await self._act(interaction, member, "warning", reason, severe=severe)

    @app_commands.command(name="timeout", description=_("Mute a member for a while."))
    @app_commands.describe(
        member=_("Who."),
        duration=_("How long: 10m, 1h, 1d."),
        reason=_("Why (the member is told)."),
    )
    @app_commands.default_permissions(moderate_members=True)
    @app_commands.guild_only()
    async def timeout(
        self, interaction: discord.Interaction, member: discord.Member, duration: str, reason: str
    ) -> None:
        await self._act(interaction, member, "timeout", reason, duration=_duration(duration))

    @app_commands.command(name="ban", description=_("Ban a member, for a while or for good."))
    @app_commands.describe(
        member=_("Who."),
        reason=_("Why (the member is told)."),
        duration=_("How long (7d...); empty: permanent."),
        severe=_("A severe violation."),
    )
    @app_commands.default_permissions(ban_members=True)
    @app_commands.guild_only()
    async def ban(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        reason: str,
        duration: str | None = None,
        severe: bool = False,
    ) -> None:
        span = _duration(duration)
        action = "temporary_ban" if span is not None else "permanent_ban"
        await self._act(interaction, member, action, reason, duration=span, severe=severe)

    @app_commands.command(name="unban", description=_("Lift a member's ban."))
    @app_commands.describe(user=_("Who (their account)."), reason=_("Why."))
    @app_commands.default_permissions(ban_members=True)
    @app_commands.guild_only()
    async def unban(
        self, interaction: discord.Interaction, user: discord.User, reason: str
    ) -> None:
        locale = interaction_locale(interaction)
        await defer(interaction)
        caller = await caller_for(self.bot, interaction.user)
        target = await caller_for(self.bot, user)
        cases = await self.bot.ledger.run(
            do_unban, caller, self.bot.playbook, target.member_id, reason
        )
        guild = interaction.guild
        assert guild is not None
        await self._apply_lifts(guild)
        await self.mod_log(
            guild,
            localized(
                N_("{moderator} lifted the ban of {member} (case {cases}). Reason: {reason}"),
                guild.preferred_locale,
                moderator=interaction.user.mention,
                member=f"<@{user.id}> ({user})",
                cases=", ".join(f"#{c}" for c in cases),
                reason=reason,
            ),
        )
        await respond(
            interaction, localized(N_("The ban of {member} is lifted."), locale, member=str(user))
        )

    @app_commands.command(name="case", description=_("A member's cases, history and next step."))
    @app_commands.describe(member=_("Who."))
    @app_commands.default_permissions(moderate_members=True)
    @app_commands.guild_only()
    async def case(self, interaction: discord.Interaction, member: discord.Member) -> None:
        locale = interaction_locale(interaction)
        await defer(interaction)
        caller = await caller_for(self.bot, interaction.user)
        target = await caller_for(self.bot, member)
        assert target.member_id is not None
        standing = await self.bot.ledger.read(
            access_proposal, caller, self.bot.playbook, target.member_id
        )
        cases = await self.bot.ledger.read(access_cases, caller, member_id=target.member_id)
        history = await self.bot.ledger.read(access_member_history, caller, target.member_id)
        embed = discord.Embed(
            title=localized(N_("Cases of {member}"), locale, member=member.display_name)[:256]
        )
        lines = [
            f"#{c.id} {c.created_at:%Y-%m-%d} {c.action}{' (voided)' if c.voided else ''}: "
            f"{c.reason[:80]}"
            for c in cases[:10]
        ]
        embed.description = "\n".join(lines) or localized(N_("No cases."), locale)
        nxt = standing.proposal
        embed.add_field(
            name=localized(N_("Active strikes"), locale), value=str(standing.active_strikes)
        )
        embed.add_field(
            name=localized(N_("Next step"), locale),
            value=(
                localized(ACTION_NAMES[nxt.action], locale)
                + (f" ({_span(nxt.duration)})" if nxt.duration else "")
                if nxt.action
                else "–"
            ),
        )
        accounts = ", ".join(f"{a['platform']}: {a['handle']}" for a in history["accounts"])
        activity = ", ".join(f"{p}: {n}" for p, n in history["activity"].items())
        embed.add_field(
            name=localized(N_("Across platforms"), locale),
            value=(f"{accounts}\n{activity}".strip() or "–")[:1024],
            inline=False,
        )
        await respond(interaction, embed=embed)

    # -- members: appeal and report -------------------------------------------------------

    @app_commands.command(name="appeal", description=_("Appeal a moderation decision about you."))
    @app_commands.describe(case=_("The case number you were given."), reason=_("Why."))
    async def appeal(self, interaction: discord.Interaction, case: int, reason: str) -> None:
        locale = interaction_locale(interaction)
        await defer(interaction)
        caller = await caller_for(self.bot, interaction.user)
        appeal_id = await self.bot.ledger.run(check_appeal, caller, case, reason)
        await self.mod_log(
            interaction.guild,
            localized(
                N_("Case #{case} was appealed (appeal {id}); decide it on the web."),
                None,
                case=case,
                id=appeal_id,
            ),
        )
        await respond(
            interaction,
            localized(N_("Your appeal of case #{case} is with the moderators."), locale, case=case),
        )

    @app_commands.command(
        name="report", description=_("Report a member to the moderators, privately.")
    )
    @app_commands.describe(member=_("Who."), reason=_("What happened."))
    @app_commands.guild_only()
    async def report(
        self, interaction: discord.Interaction, member: discord.Member, reason: str
    ) -> None:
        await self._report(interaction, member, reason, None)

    async def report_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        if not isinstance(message.author, discord.Member | discord.User):
            raise InputError(_("This message cannot be reported."))
        await self._report(
            interaction,
            message.author,
            _("Reported message"),
            f"{message.jump_url}\n{message.content[:1500]}",
        )

    async def _report(
        self,
        interaction: discord.Interaction,
        member: discord.abc.User,
        reason: str,
        evidence: str | None,
    ) -> None:
        locale = interaction_locale(interaction)
        await defer(interaction)
        caller = await caller_for(self.bot, interaction.user)
        target = await caller_for(self.bot, member)
        assert target.member_id is not None
        case_id = await self.bot.ledger.run(
            check_report, caller, target.member_id, reason, evidence=evidence, platform="discord"
        )
        await self.mod_log(
            interaction.guild,
            localized(
                N_("Report #{case} about {member}: {reason}"),
                None,
                case=case_id,
                member=f"{member.mention} ({member})",
                reason=reason,
            )
            + (f"\n{evidence}" if evidence else ""),
        )
        await respond(
            interaction,
            localized(
                N_("Thank you. The moderators have your report (#{case}); only they see it."),
                locale,
                case=case_id,
            ),
        )

    # -- automod --------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        moderation = self.bot.playbook.moderation
        if moderation is None or not moderation.automod or message.author.bot:
            return
        if not isinstance(message.author, discord.Member) or not self.bot.serves(message.guild):
            return
        perms = message.author.guild_permissions
        if perms.manage_messages or perms.moderate_members or perms.administrator:
            return
        now = message.created_at.astimezone(UTC)
        recent = self._recent[message.author.id]
        recent.append(now)
        hits = automod_hits(moderation.automod, message.content, list(recent), now)
        if not hits:
            return
        actions = {a for rule in hits for a in rule.actions}
        keys = ", ".join(rule.key for rule in hits)
        if "delete" in actions:
            try:
                await message.delete()
            except discord.HTTPException:
                log.warning("automod could not delete message %s", message.id)
        if actions & {"warning", "timeout"}:
            member_id = (await caller_for(self.bot, message.author)).member_id
            assert member_id is not None
            rule = next(r for r in hits if r.duration is not None or "warning" in r.actions)
            action = "timeout" if "timeout" in actions else "warning"
            reason = _("Automatic moderation: {rules}").format(rules=keys)
            taken = await self.bot.ledger.run(
                check_take_action,
                AUTOMOD,
                self.bot.playbook,
                member_id,
                action,
                reason,
                duration=rule.duration if action == "timeout" else None,
                platform="discord",
            )
            if action == "timeout" and taken.ends_at is not None:
                await message.author.timeout(taken.ends_at, reason=f"case {taken.case_id}")
            recent.clear()
            await self.tell(
                message.author,
                localized(
                    N_(
                        "Your message was removed by automatic moderation ({rules}). Case "
                        "#{case}; appeal it with /appeal."
                    ),
                    member_locale(self.bot, message.author, message.guild),
                    rules=keys,
                    case=taken.case_id,
                ),
            )
        await self.mod_log(
            message.guild,
            localized(
                N_("Automatic moderation ({rules}): a message of {member} in {channel}."),
                message.guild.preferred_locale if message.guild else None,
                rules=keys,
                member=f"{message.author.mention} ({message.author})",
                channel=getattr(message.channel, "mention", ""),
            ),
        )

    # -- the ban job ----------------------------------------------------------------------

    async def _job(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            try:
                await self.run_job()
            except Exception:  # logged; the next round tries again
                log.exception("moderation job failed")
            await asyncio.sleep(self.job_seconds)

    async def run_job(self, now: datetime | None = None) -> int:
        """Lift expired bans and apply every pending lift on Discord; returns the lifts applied."""
        await self.bot.ledger.run(lift_expired, self.bot.playbook, now)
        applied = 0
        for guild in self.bot.guilds:
            if self.bot.serves(guild):
                applied += await self._apply_lifts(guild)
        return applied

    async def _apply_lifts(self, guild: discord.Guild) -> int:
        pending = await self.bot.ledger.read(access_pending_lifts, "discord")
        if not pending:
            return 0
        ids = await self.bot.ledger.read(
            access_platform_ids, "discord", [p.member_id for p in pending]
        )
        applied = 0
        for lift in pending:
            user_id = ids.get(lift.member_id)
            if user_id is not None:
                with contextlib.suppress(discord.NotFound):  # not banned there any more
                    await guild.unban(discord.Object(int(user_id)), reason=f"case {lift.case_id}")
                await self.mod_log(
                    guild,
                    localized(
                        N_("The ban of <@{user}> (case #{case}) ended."),
                        guild.preferred_locale,
                        user=user_id,
                        case=lift.case_id,
                    ),
                )
            await self.bot.ledger.run(do_mark_lift_applied, lift.case_id)
            applied += 1
        return applied


def _span(duration: timedelta | None) -> str:
    if duration is None:
        return ""
    days, seconds = duration.days, duration.seconds
    if days and not seconds:
        return f"{days}d"
    if seconds % 3600 == 0 and not days:
        return f"{seconds // 3600}h"
    return f"{int(duration.total_seconds() // 60)}m"


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(ModerationCog(bot))
