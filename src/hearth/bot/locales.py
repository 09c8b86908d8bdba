"""Which language to write to a member in, when the member did not just ask for something.

Discord sends the locale of whoever uses a command, button or menu (``interaction.locale``),
and only theirs: a moderator's ``/warn`` carries the moderator's locale, not the warned
member's. Messages *to a member* that someone else caused (a moderation DM, a suggestion's
status change) are therefore written in the member's own locale when the bot has seen one —
from the member's own latest interaction, remembered here — and otherwise in the server's
preferred locale (the language of the server's channels).

What is remembered is a member id and a locale tag, in process memory only, for the last
:data:`REMEMBERED` members: forgotten on restart, when the server's locale is used again until
the member next uses a command.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from hearth.bot.client import HearthBot

REMEMBERED = 10_000


class MemberLocales:
    """The latest locale each member's Discord client reported (the newest members kept)."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self.size = size
        self._seen: OrderedDict[int, str] = OrderedDict()

    def remember(self, user_id: int, locale: discord.Locale | str | None) -> None:
        value = getattr(locale, "value", locale)
        if not value:
            return
        self._seen[user_id] = str(value)
        self._seen.move_to_end(user_id)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)

    def get(self, user_id: int) -> str | None:
        return self._seen.get(user_id)

    def __len__(self) -> int:
        return len(self._seen)


def remember_interaction(bot: HearthBot, interaction: discord.Interaction) -> None:
    """Note the locale of whoever used a command, button or menu."""
    bot.member_locales.remember(interaction.user.id, getattr(interaction, "locale", None))


def member_locale(
    bot: HearthBot, user: discord.abc.User, guild: discord.Guild | None
) -> discord.Locale | str | None:
    """The locale to write to ``user`` in: theirs when seen, else ``guild``'s preferred one."""
    known = bot.member_locales.get(user.id)
    if known is not None:
        return known
    return guild.preferred_locale if guild is not None else None
