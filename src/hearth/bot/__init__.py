"""The Discord bot: discord.py 2, one cog per concern, thin over ``hearth.actions``.

:func:`~hearth.bot.client.build_bot` builds it from explicit settings (nothing is created at
import); the cogs it loads are listed in :mod:`hearth.bot.registry`. Database work runs on
the :class:`~hearth.bot.ledger.Ledger`'s own thread, never on the gateway's event loop.
"""

from __future__ import annotations
