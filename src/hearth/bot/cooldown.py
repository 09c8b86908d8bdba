"""A small per-key rate limit for the bot's unprompted replies (FAQ, code, GitHub links).

It lives in the bot's memory on purpose: it only spaces out replies, and a restart that
forgets it at worst lets one extra reply through. Nothing of the ledger depends on it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

MAX_KEYS = 10_000


class Cooldown:
    """``ready(key)`` is true at most once per ``seconds`` for each key."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._last: OrderedDict[Hashable, float] = OrderedDict()

    def ready(self, key: Hashable) -> bool:
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.seconds:
            return False
        self._last[key] = now
        self._last.move_to_end(key)
        while len(self._last) > MAX_KEYS:
            self._last.popitem(last=False)
        return True
