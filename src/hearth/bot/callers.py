"""Who is acting in chat, as the actions see it: a :class:`~hearth.actions.context.Caller`.

A Discord account is a member through its identity (created on first sight). Staff, for the
support workflows, are those who may manage threads (they see every private ticket thread) or
hold the playbook's ``support.staff_role``; moderators are those who may moderate members
(time them out). Both are Discord permissions the server's owners hand out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from hearth.actions.context import Caller
from hearth.actions.people import do_member_for
from hearth.connectors.discord_gateway.mapping import person

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot


def is_support_staff(bot: HearthBot, user: discord.abc.User) -> bool:
    if not isinstance(user, discord.Member):
        return False
    role = bot.playbook.support.staff_role if bot.playbook.support else None
    if role and any(r.name == role for r in user.roles):
        return True
    return bool(user.guild_permissions.manage_threads or user.guild_permissions.administrator)


def is_moderator(user: discord.abc.User) -> bool:
    if not isinstance(user, discord.Member):
        return False
    perms = user.guild_permissions
    return bool(perms.moderate_members or perms.ban_members or perms.administrator)


async def caller_for(bot: HearthBot, user: discord.abc.User) -> Caller:
    """The caller for ``user``: their member (created when new), staff and moderator rights."""
    member_id = await bot.ledger.run(do_member_for, person(user))
    moderator = is_moderator(user)
    return Caller(
        name=f"discord:{user.id}",
        member_id=member_id,
        is_staff=is_support_staff(bot, user),
        role="moderator" if moderator else None,
    )
