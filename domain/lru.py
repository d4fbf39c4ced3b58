"""A map bounded by count that forgets the least recently used entry first.

Per-person state (flood buckets, recently seen chats, send limiters, cached admin lists) must not
grow with the number of people who ever wrote, and must not be cleared all at once either:
clearing hands every flooder a fresh burst and makes the next 100,000 messages pay for a cold
cache. Evicting the least recently used entry drops only people who have gone quiet, whose
state is cheap to rebuild (or, for a token bucket that has refilled, identical to a new one).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LruMap(Generic[K, V]):
    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._data: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: K) -> V | None:
        """The value, now counted as most recently used."""
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def peek(self, key: K) -> V | None:
        """The value, leaving the order alone (for entries that expire by age, not by use)."""
        return self._data.get(key)

    def put(self, key: K, value: V) -> None:
        """Store as most recently used; past the bound, the least recently used entry goes."""
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._data.pop(key, None)

    def drop_oldest_while(self, stale: Callable[[V], bool]) -> None:
        """Forget entries from the least recently used end for as long as ``stale`` holds.

        With one lifetime for every entry and ``put`` on each refresh, the oldest entries are
        the first to expire, so this removes every expired entry in time proportional to the
        number removed.
        """
        data = self._data
        while data:
            key, value = next(iter(data.items()))
            if not stale(value):
                return
            del data[key]
