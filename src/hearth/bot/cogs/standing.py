"""Points in chat: ``/rank``, ``/leaderboard``, ``/achievements`` and ``/progress``.

Thin over :mod:`hearth.actions.standing` (points, achievements, tier and progress as the rules
engine derived them), :mod:`hearth.actions.ranking` (a member's place) and
:mod:`hearth.actions.lookup` (which member a Discord account is). A Discord account is a
member through its identity (platform ``discord``, the user id).

A member who hid their profile on the web (:mod:`hearth.actions.profiles`) is "A member",
without a name, on ``/leaderboard`` (as on the web's leaderboards), and ``/rank`` and
``/achievements`` about them, asked by someone else, answer that the profile is private.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from hearth.actions.context import Caller
from hearth.actions.lookup import access_member_for_identity
from hearth.actions.profiles import access_public_names
from hearth.actions.ranking import Rank, access_rank
from hearth.actions.standing import MemberStanding, access_leaderboard, access_member_standing
from hearth.bot.replies import interaction_locale, localized
from hearth.connectors.discord_gateway.mapping import PLATFORM
from hearth.errors import NotFound, PermissionDenied
from hearth.i18n import N_, _

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

MAX_LINES = 25
WINDOWS = {
    "all_time": _("all time"),
    "this_week": _("this week"),
    "last_week": _("last week"),
    "this_month": _("this month"),
    "last_month": _("last month"),
    "this_quarter": _("this quarter"),
    "this_year": _("this year"),
}


def window_label(window: str, locale: Any) -> str:
    known = WINDOWS.get(window)
    if known is not None:
        return localized(known, locale)
    return localized(N_("last {span}"), locale, span=window)


def day(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d") if value else "—"


def number(value: float) -> str:
    return f"{value:,g}" if isinstance(value, float) else f"{value:,}"


class StandingCog(commands.Cog, name="standing"):
    """``/rank``, ``/leaderboard``, ``/achievements``, ``/progress``."""

    def __init__(self, bot: HearthBot) -> None:
        self.bot = bot

    # -- reading ----------------------------------------------------------------------------

    async def member_of(self, user: discord.abc.User, locale: Any) -> int:
        member_id = await self.bot.ledger.read(access_member_for_identity, PLATFORM, str(user.id))
        if member_id is None:
            raise NotFound(
                localized(
                    N_("{name} has no activity recorded yet, so no points either."),
                    locale,
                    name=getattr(user, "display_name", user.name),
                )
            )
        return member_id

    async def visible_member_of(
        self, user: discord.abc.User, asker: discord.abc.User | None, locale: Any
    ) -> int:
        """The member ``user`` is; PermissionDenied when they hid their profile and ``asker``
        (None: ``user`` themselves) is someone else."""
        member_id = await self.member_of(user, locale)
        if asker is None or asker.id == user.id:
            return member_id
        names = await self.bot.ledger.read(
            access_public_names, Caller(name=f"discord:{asker.id}"), [member_id]
        )
        named = names.get(member_id)
        if named is not None and named.hidden:
            raise PermissionDenied(
                localized(
                    N_("{name} keeps their profile private."),
                    locale,
                    name=getattr(user, "display_name", user.name),
                )
            )
        return member_id

    async def standing_of(
        self,
        user: discord.abc.User,
        locale: Any,
        now: datetime | None = None,
        *,
        asker: discord.abc.User | None = None,
    ) -> MemberStanding:
        member_id = await self.visible_member_of(user, asker, locale)
        return await self.bot.ledger.read(
            access_member_standing, Caller(name=f"discord:{user.id}"), member_id,
            self.bot.playbook, now,
        )  # fmt: skip

    # -- /rank ------------------------------------------------------------------------------

    async def rank_embed(
        self,
        user: discord.abc.User,
        locale: Any,
        now: datetime | None = None,
        *,
        asker: discord.abc.User | None = None,
    ) -> discord.Embed:
        """What ``/rank`` answers about ``user`` (to ``asker``; None: ``user`` themselves)."""
        member_id = await self.visible_member_of(user, asker, locale)
        caller = Caller(name=f"discord:{user.id}")
        standing = await self.bot.ledger.read(
            access_member_standing, caller, member_id, self.bot.playbook, now
        )
        rank = await self.bot.ledger.read(
            access_rank, caller, self.bot.playbook, member_id, now=now
        )
        embed = discord.Embed(title=standing.display_name)
        embed.add_field(name=localized(N_("Points"), locale), value=f"{standing.points:,}")
        embed.add_field(name=localized(N_("Rank"), locale), value=self.rank_text(rank, locale))
        embed.add_field(name=localized(N_("Tier"), locale), value=self.tier_text(standing, locale))
        return embed

    def rank_text(self, rank: Rank, locale: Any) -> str:
        if rank.position is None:
            return localized(N_("not ranked yet"), locale)
        if rank.board is None:
            return localized(
                N_("#{position} of {of}"), locale, position=rank.position, of=f"{rank.of:,}"
            )
        return localized(
            N_("#{position} of {of} on {board} ({window})"),
            locale,
            position=rank.position,
            of=f"{rank.of:,}",
            board=rank.board_name,
            window=window_label(rank.window or "", locale),
        )

    def tier_text(self, standing: MemberStanding, locale: Any) -> str:
        tier = standing.tier
        if tier is None:
            return localized(N_("none yet"), locale)
        playbook_tier = self.bot.playbook.tier(tier.key)
        icon = f"{playbook_tier.icon} " if playbook_tier and playbook_tier.icon else ""
        text = localized(
            N_("{tier} since {since}"), locale, tier=icon + tier.name, since=day(tier.since)
        )
        if tier.grace_until:
            text += "\n" + localized(
                N_("requirements lapsed; kept until {until}"), locale, until=day(tier.grace_until)
            )
        return text

    @app_commands.command(name="rank", description=_("Points, rank and tier."))
    @app_commands.describe(member=_("Whose rank (default: yours)."))
    async def rank(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        locale = interaction_locale(interaction)
        embed = await self.rank_embed(member or interaction.user, locale, asker=interaction.user)
        await interaction.response.send_message(embed=embed)

    # -- /leaderboard -----------------------------------------------------------------------

    async def leaderboard_text(
        self, key: str | None, window: str | None, locale: Any, now: datetime | None = None
    ) -> tuple[str, str]:
        """The title and lines of leaderboard ``key`` (the first one by default)."""
        playbook = self.bot.playbook
        if not playbook.leaderboards:
            raise NotFound(localized(N_("The playbook has no leaderboards."), locale))
        board = playbook.leaderboard(key) if key else playbook.leaderboards[0]
        if board is None:
            known = ", ".join(b.key for b in playbook.leaderboards)
            raise NotFound(
                localized(
                    N_("No leaderboard '{key}'; known: {known}."), locale, key=key, known=known
                )
            )
        window = window or board.windows[0]
        places = await self.bot.ledger.read(
            access_leaderboard, Caller(name="discord"), playbook, board.key, window, now=now,
            size=min(board.size, MAX_LINES),
        )  # fmt: skip
        names = await self.bot.ledger.read(
            access_public_names,
            Caller(name="discord"),
            [p.member_id for p in places if p.member_id is not None],
        )
        title = f"{board.name} · {window_label(window, locale)}"
        if not places:
            return title, localized(N_("Nobody is on this leaderboard yet."), locale)
        lines = []
        for place in places:
            named = names.get(place.member_id) if place.member_id is not None else None
            if named is not None and named.hidden:  # as on the web: not named
                who = localized(N_("A member"), locale)
            elif named is not None:
                who = named.display_name
            elif place.member_id is not None:
                who = str(place.member_id)
            else:
                who = place.subject[2:]
            lines.append(
                f"**{place.rank}.** {discord.utils.escape_markdown(who)} — {place.value:,}"
            )
        return title, "\n".join(lines)

    @app_commands.command(name="leaderboard", description=_("A leaderboard of the community."))
    @app_commands.describe(board=_("Which leaderboard."), window=_("Which period."))
    async def leaderboard(
        self, interaction: discord.Interaction, board: str | None = None, window: str | None = None
    ) -> None:
        locale = interaction_locale(interaction)
        title, text = await self.leaderboard_text(board, window, locale)
        await interaction.response.send_message(embed=discord.Embed(title=title, description=text))

    @leaderboard.autocomplete("board")
    async def board_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.lower()
        return [
            app_commands.Choice(name=b.name[:100], value=b.key)
            for b in self.bot.playbook.leaderboards
            if typed in b.key.lower() or typed in b.name.lower()
        ][:25]

    @leaderboard.autocomplete("window")
    async def window_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        playbook = self.bot.playbook
        key = getattr(interaction.namespace, "board", None)
        board = playbook.leaderboard(key) if key else None
        boards = [board] if board is not None else playbook.leaderboards
        windows = list(dict.fromkeys(w for b in boards for w in b.windows))
        locale = interaction_locale(interaction)
        return [
            app_commands.Choice(name=window_label(w, locale), value=w)
            for w in windows
            if current.lower() in w.lower()
        ][:25]

    # -- /achievements ----------------------------------------------------------------------

    async def achievements_text(
        self, user: discord.abc.User, locale: Any, *, asker: discord.abc.User | None = None
    ) -> tuple[str, str]:
        standing = await self.standing_of(user, locale, asker=asker)
        title = localized(N_("Achievements of {name}"), locale, name=standing.display_name)
        if not standing.awards:
            return title, localized(N_("No achievements yet."), locale)
        lines = []
        for award in standing.awards[-MAX_LINES:]:
            found = self.bot.playbook.achievement(award.key)
            icon = f"{found.icon} " if found and found.icon else ""
            line = f"{icon}**{award.name}** — {day(award.awarded_at)}"
            if award.manual:
                line += " " + localized(N_("(by staff)"), locale)
            lines.append(line)
        if len(standing.awards) > MAX_LINES:
            lines.insert(
                0,
                localized(
                    N_("{n} achievements; the latest {shown}:"),
                    locale,
                    n=len(standing.awards),
                    shown=MAX_LINES,
                ),
            )
        return title, "\n".join(lines)

    @app_commands.command(name="achievements", description=_("Achievements earned, with dates."))
    @app_commands.describe(member=_("Whose achievements (default: yours)."))
    async def achievements(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        locale = interaction_locale(interaction)
        title, text = await self.achievements_text(
            member or interaction.user, locale, asker=interaction.user
        )
        await interaction.response.send_message(embed=discord.Embed(title=title, description=text))

    # -- /progress --------------------------------------------------------------------------

    async def progress_text(
        self, user: discord.abc.User, locale: Any, now: datetime | None = None
    ) -> tuple[str, str]:
        """What the next tier needs: each requirement with its current value and target."""
        playbook = self.bot.playbook
        standing = await self.standing_of(user, locale, now)
        if not playbook.tiers:
            return localized(N_("Progress"), locale), localized(
                N_("This community has no tiers."), locale
            )
        held = self.tier_text(standing, locale)
        upcoming = standing.next_tier(playbook)
        if upcoming is None:
            return localized(N_("Tier: {tier}"), locale, tier=held), localized(
                N_("You hold the highest tier members can reach by their activity."), locale
            )
        tier = playbook.tier(upcoming["tier"])
        name = tier.name if tier else upcoming["tier"]
        lines = []
        for req in upcoming["requirements"]:
            mark = "✅" if req["met"] else "❌"
            line = f"{mark} {req['label']}: {number(req['current'])} / {number(req['needed'])}"
            missing = req["needed"] - req["current"]
            if not req["met"] and missing > 0:
                line += " " + localized(N_("({n} more)"), locale, n=number(missing))
            lines.append(line)
        title = localized(N_("Next tier: {tier}"), locale, tier=name)
        return title, "\n".join(lines)

    @app_commands.command(name="progress", description=_("What the next tier still needs."))
    async def progress(self, interaction: discord.Interaction) -> None:
        locale = interaction_locale(interaction)
        title, text = await self.progress_text(interaction.user, locale)
        await interaction.response.send_message(
            embed=discord.Embed(title=title, description=text), ephemeral=True
        )


async def setup(bot: HearthBot) -> None:
    await bot.add_cog(StandingCog(bot))
