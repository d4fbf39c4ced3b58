"""Cross-cutting concerns, each one small layer: errors, logging, input hygiene, flood, identity."""

from __future__ import annotations

import logging
import time
import unicodedata
import uuid
from dataclasses import dataclass, replace

from bot import replies
from bot.context import Context
from bot.messages import Reply
from bot.router import Handler
from domain.lru import LruMap

log = logging.getLogger("careerbot")

MAX_TEXT = 1000
"""Longer questions are refused, not truncated: a cut question would get a wrong answer."""


async def errors(handler: Handler, ctx: Context) -> Reply | None:
    """Any exception becomes a short apology with an id the person can quote to us."""
    try:
        return await handler(ctx)
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        log.exception(
            "error %s handling %s from %s:%s",
            error_id,
            ctx.inbound.kind,
            ctx.inbound.platform,
            ctx.inbound.user_id,
        )
        return replies.internal_error(error_id)


async def logging_middleware(handler: Handler, ctx: Context) -> Reply | None:
    started = time.perf_counter()
    reply = await handler(ctx)
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s %s:%s %s -> %.1f ms",
            ctx.inbound.kind,
            ctx.inbound.platform,
            ctx.inbound.user_id,
            ctx.command or (ctx.action.name if ctx.action else "text"),
            (time.perf_counter() - started) * 1000,
        )
    return reply


def clean_text(text: str) -> str:
    """Drop control and format characters (keeping newlines) and normalise the rest."""
    text = unicodedata.normalize("NFKC", text)
    kept = (ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return "".join(kept).strip()


async def input_guard(handler: Handler, ctx: Context) -> Reply | None:
    inbound = ctx.inbound
    if inbound.kind == "text":
        # Cut before normalising: NFKC takes quadratic time on long runs of combining marks.
        raw = inbound.text
        text = clean_text(raw[: 4 * MAX_TEXT])
        if not text and len(raw) <= 4 * MAX_TEXT:
            return replies.empty_message()
        if len(text) > MAX_TEXT or len(raw) > 4 * MAX_TEXT:
            return replies.too_long(max(len(text), len(raw)), MAX_TEXT)
        ctx.inbound = replace(inbound, text=text)
    return await handler(ctx)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class FloodLimit:
    """A token bucket per person: a burst is fine, a flood gets one warning and then silence.

    Silence, not a reply per message, because answering a flood doubles it.
    """

    def __init__(self, burst: int, per_second: float, max_tracked: int = 100_000) -> None:
        self.burst, self.per_second = burst, per_second
        self._buckets: LruMap[tuple[str, str], _Bucket] = LruMap(max_tracked)
        """Least recently used first out: someone still flooding is never the one evicted, and
        a bucket that has been left alone long enough to refill is the same as a new one."""

    async def __call__(self, handler: Handler, ctx: Context) -> Reply | None:
        platform, user_id = ctx.inbound.platform, ctx.inbound.user_id
        if not self.allow(platform, user_id, time.monotonic()):
            bucket = self._buckets.peek((platform, user_id))
            if bucket is None or bucket.warned:
                return None
            bucket.warned = True
            return replies.slow_down()
        return await handler(ctx)

    def allow(self, platform: str, user_id: str, now: float) -> bool:
        key = (platform, user_id)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
            self._buckets.put(key, bucket)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.per_second)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True
        return False


async def identify(handler: Handler, ctx: Context) -> Reply | None:
    """Find or create the person (and record the chat) before any handler runs."""
    inbound, services = ctx.inbound, ctx.services
    chat = services.chats.due(
        inbound.platform, inbound.chat_id, inbound.chat_kind, inbound.chat_title
    )
    user, state = await services.users.identify(
        inbound.platform, inbound.user_id, inbound.chat_id, inbound.user_name, ctx.now, chat
    )
    ctx.user = user
    ctx.preload_state(state)
    return await handler(ctx)
