"""Sending one message with the platform's typed errors turned into decisions.

- ``RetryLater(seconds)`` (HTTP 429): wait exactly that long for *this* chat and try again, unless
  the wait is longer than ``max_retry_after`` — then give up for now and say so.
- ``TransientError`` (time-out, network): back off 1 s, 2 s, 4 s … up to ``max_attempts``.
- ``Unreachable`` (blocked, left, DMs closed): permanent — the caller pauses the chat's
  subscriptions with the reason, never retries.
- ``ChatMoved``: the caller moves the chat's rows to the new id and sends there once.
- ``MissingPermission``: permanent until a moderator fixes it — the caller pauses with the reason.

Waiting uses an injected ``sleep`` so tests never sleep. Sends run concurrently up to
``concurrency``; platform-wide message rates are the adapters' own limiters' job (Telegram's
30/s, discord.py's buckets), so one slow chat never holds up the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from bot.errors import ChatMoved, MissingPermission, RetryLater, TransientError, Unreachable
from bot.messages import Reply, Target
from bot.platform import Platform

log = logging.getLogger("careerbot.delivery")

Status = Literal["sent", "failed", "unreachable", "moved", "forbidden"]


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    attempts: int
    detail: str = ""
    new_chat_id: str | None = None


SENT_FIRST_TIME = Outcome("sent", 1)
"""The usual outcome, shared (outcomes are immutable)."""


class Deliverer:
    def __init__(
        self,
        platforms: Mapping[str, Platform],
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        max_attempts: int = 4,
        backoff: float = 1.0,
        max_retry_after: float = 60.0,
        concurrency: int = 32,
    ) -> None:
        self.platforms = platforms
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.limit = _Limit(concurrency)

    async def send(self, target: Target, reply: Reply) -> Outcome:
        platform = self.platforms.get(target.platform)
        if platform is None:
            return Outcome("failed", 0, f"platform {target.platform} is not running here")
        limit = self.limit
        if limit.free and not limit.queue:
            limit.free -= 1
        else:
            await limit.wait()
        try:
            attempt = 0
            while True:
                attempt += 1
                try:
                    await platform.send(target, reply)
                    return SENT_FIRST_TIME if attempt == 1 else Outcome("sent", attempt)
                except RetryLater as exc:
                    if exc.seconds > self.max_retry_after or attempt >= self.max_attempts:
                        return Outcome("failed", attempt, f"rate limited ({exc.seconds:g}s)")
                    await self.sleep(exc.seconds)
                except TransientError as exc:
                    if attempt >= self.max_attempts:
                        return Outcome("failed", attempt, f"network: {exc}"[:256])
                    await self.sleep(self.backoff * 2 ** (attempt - 1))
                except Unreachable as exc:
                    return Outcome("unreachable", attempt, exc.reason)
                except ChatMoved as exc:
                    return Outcome("moved", attempt, str(exc), new_chat_id=exc.new_chat_id)
                except MissingPermission as exc:
                    return Outcome("forbidden", attempt, f"missing permission: {exc.permission}")
                except Exception as exc:  # a bug in an adapter must not stop the tick
                    log.exception("unexpected error sending to %s", target)
                    return Outcome("failed", attempt, f"{type(exc).__name__}: {exc}"[:256])
        finally:
            limit.release()


class _Limit:
    """A first-come first-served limit on sends at once: what ``asyncio.Semaphore`` does, with a
    free slot taken inline by :meth:`Deliverer.send` (the semaphore's ``async with`` cost ten
    times as much, on every nudge). A released slot is handed straight to the longest waiter."""

    __slots__ = ("free", "queue")

    def __init__(self, size: int) -> None:
        self.free = size
        self.queue: deque[asyncio.Future[None]] = deque()

    async def wait(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self.queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot just as it was cancelled: pass it on
            elif waiter in self.queue:
                self.queue.remove(waiter)
            raise

    def release(self) -> None:
        while self.queue:
            waiter = self.queue.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1
