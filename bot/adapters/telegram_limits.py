"""Pacing for Telegram: outbound rate limits, and updates processed in order per chat.

Telegram's Bots FAQ asks for about 30 messages a second overall, about one a second per chat
(short bursts are tolerated) and at most 20 a minute per group or channel. :class:`SendLimiter`
keeps to those with token buckets; the clock and the sleep are injectable so tests never wait.

:class:`PerChatProcessor` lets python-telegram-bot handle updates from different chats at the
same time while keeping each chat's updates in the order they arrived, so one slow reply never
holds up everybody and a person's two quick messages are never answered out of order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from domain.lru import LruMap

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RateLimits:
    overall_per_second: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 5

    @classmethod
    def unlimited(cls) -> RateLimits:
        """For tests: nothing is ever delayed."""
        inf = float("inf")
        return cls(inf, inf, 1_000_000, inf, 1_000_000)


class _Bucket:
    def __init__(self, capacity: float, per_second: float, now: float) -> None:
        self.capacity, self.per_second = capacity, per_second
        self.tokens, self.stamp = capacity, now
        self.lock = asyncio.Lock()

    def wait_time(self, now: float) -> float:
        """Refill, then take a token if there is one (0.0) or say how long until there is."""
        if self.per_second == float("inf"):
            return 0.0
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1 - 1e-9:  # tolerate float rounding after an exact sleep
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        return (1 - self.tokens) / self.per_second


class SendLimiter:
    """Waits until a message to ``chat_id`` may go out under every applicable limit."""

    def __init__(
        self,
        limits: RateLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        max_tracked: int = 10_000,
    ) -> None:
        self.limits = limits or RateLimits()
        self.clock, self.sleep = clock, sleep
        self._overall = _Bucket(
            max(1.0, self.limits.overall_per_second), self.limits.overall_per_second, clock()
        )
        self._chats: LruMap[str, _Bucket] = LruMap(max_tracked)
        """Least recently used first out: a chat being paced right now is never the one
        forgotten, and a forgotten chat that had gone quiet starts again with a full burst."""

    @staticmethod
    def is_group(chat_id: str) -> bool:
        """Groups, supergroups and channels have negative ids (or an @username)."""
        return chat_id.startswith(("-", "@"))

    def _chat_bucket(self, chat_id: str) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            now = self.clock()
            limits = self.limits
            if self.is_group(chat_id):
                bucket = _Bucket(limits.group_burst, limits.group_per_minute / 60, now)
            else:
                bucket = _Bucket(limits.chat_burst, limits.chat_per_second, now)
            self._chats.put(chat_id, bucket)
        return bucket

    async def acquire(self, chat_id: str) -> None:
        chat = self._chat_bucket(chat_id)
        async with chat.lock:
            await self._take(chat)
            async with self._overall.lock:
                await self._take(self._overall)

    async def _take(self, bucket: _Bucket) -> None:
        while (delay := bucket.wait_time(self.clock())) > 0:
            await self.sleep(delay)


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerChatProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one chat."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self.done = 0
        """Updates fully handled so far (replies sent, errors logged)."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        finally:
            self.done += 1

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
