"""Process-local caches of computed results, keyed by what they depend on.

A key carries the data version its value was computed from (``derivation_version`` and the
like), so a cached value is served only while a fresh computation would give the same result;
a value can also carry the moment it stops being valid (midnight, the end of a ban, a tier's
grace). Bounded (LRU); one computation per missing key at a time; nothing depends on a cache
but speed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class ExpiringCache(Generic[V]):
    """Values under keys, each valid until a moment given when it was computed."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], tuple[datetime, V]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def _fresh(self, key: tuple[Any, ...], now: datetime) -> tuple[bool, V | None]:
        found = self._items.get(key)
        if found is None or now >= found[0]:
            return False, None
        self._items.move_to_end(key)
        self.hits += 1
        return True, found[1]

    def get(
        self, key: tuple[Any, ...], now: datetime, compute: Callable[[], tuple[datetime, V]]
    ) -> V:
        """The value under ``key``; ``compute`` gives it with the moment it expires."""
        with self._lock:
            hit, value = self._fresh(key, now)
            if hit:
                return value  # type: ignore[return-value]
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                hit, value = self._fresh(key, now)
                if hit:
                    return value  # type: ignore[return-value]
            try:
                until, computed = compute()
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            with self._lock:
                self.misses += 1
                self._items[key] = (until, computed)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return computed
