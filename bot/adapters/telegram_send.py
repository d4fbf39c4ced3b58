"""Sending to Telegram: one reply becomes messages, each sent under the rate limits with retries.

Telegram's answers are mapped to :mod:`bot.errors` here, once, for replies and the scheduler
alike: a 429 is slept through up to a limit, a network error backs off, a group that became a
supergroup is followed, a blocked chat is marked inactive, and refused formatting is resent as
plain text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.adapters.telegram_chats import PLATFORM, chat_ref
from bot.adapters.telegram_limits import SendLimiter, Sleep
from bot.adapters.telegram_render import PARSE_MODE, Outgoing, render, to_plain
from bot.charts.service import without_picture
from bot.errors import (
    ChatMoved,
    DeliveryError,
    MissingPermission,
    RetryLater,
    TransientError,
    Unreachable,
)
from bot.messages import Reply, Target

if TYPE_CHECKING:
    from bot.charts.service import ChartService
    from storage.users import Chats

log = logging.getLogger("careerbot.telegram")

T = TypeVar("T")

CONNECTION_POOL = 8
"""Connections to the Bot API for replies, and requests in flight at once. At Telegram's 30
messages/s and ~0.1 s a request a few are plenty. httpcore places every waiting request by
walking every pooled connection (a socket check each): PTB's default of 256 connections, with
64 concurrent updates queueing inside the pool, cost more CPU than the requests themselves. So
the pool is small and requests wait for it in front (a semaphore), never inside it."""
POOL_WAIT = 30.0
"""Seconds a reply may wait for a free connection before it counts as a time-out."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    """Tries per message in all, across 429s and network errors."""
    backoff: float = 0.5
    """First wait after a time-out or network error; doubles each time up to ``max_backoff``."""
    max_backoff: float = 8.0
    max_wait: float = 60.0
    """A 429 asking for longer than this is not slept through: RetryLater goes to the caller."""


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True).to_json()


def _serialised(item: Outgoing, *, text_message: bool = False) -> dict[str, str]:
    """The parameters that are the same answer after answer, already serialised.

    PTB turns a ``reply_markup`` or ``link_preview_options`` object into a dict and JSON on
    every call; the keyboard's JSON is made once per distinct keyboard (:class:`Keyboard`), and
    PTB's documented ``api_kwargs`` pass it on as it is, so Telegram receives the same
    parameters as before. A reply without buttons sends no ``reply_markup``: an edited menu
    loses its keyboard, as before."""
    params = {"link_preview_options": _NO_PREVIEW} if text_message else {}
    if item.keyboard is not None:
        params["reply_markup"] = item.keyboard.json
    return params


def _retry_seconds(exc: RetryAfter) -> float:
    value: Any = getattr(exc, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if value is not None else 1.0


class Sender:
    """Delivers replies to chats: the only place that calls Telegram's sending methods."""

    def __init__(
        self,
        bot: Bot,
        chats: Chats,
        charts: ChartService,
        limiter: SendLimiter,
        retry: RetryPolicy,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.chats = chats
        self.charts = charts
        self.limiter = limiter
        self.retry = retry
        self.sleep = sleep
        self._in_flight = asyncio.Semaphore(CONNECTION_POOL)

    async def deliver(
        self, chat_id: str, reply: Reply, *, edit: int | None = None, reply_to: int | None = None
    ) -> None:
        """Send ``reply`` to ``chat_id``; with ``edit``, replace that message's text first; with
        ``reply_to``, the first message answers that one."""
        messages = render(reply)
        if edit is not None and messages and messages[0].kind == "text":
            chat_id, edited = await self._attempt(chat_id, self._edit_action(edit, messages[0]))
            if edited:
                messages = messages[1:]
        for message in messages:
            try:
                chat_id, _ = await self._attempt(chat_id, self._send_action(message, reply_to))
            except (MissingPermission, DeliveryError) as exc:
                if message.kind != "photo" or type(exc) not in (MissingPermission, DeliveryError):
                    raise
                # The photo goes first, so nothing of this reply has been sent yet.
                right = exc.permission if isinstance(exc, MissingPermission) else None
                note = self.charts.refused(Target(PLATFORM, chat_id), right)
                await self.deliver(chat_id, without_picture(reply, note), reply_to=reply_to)
                return
            reply_to = None

    def _send_action(
        self, item: Outgoing, reply_to: int | None = None
    ) -> Callable[[str, bool], Awaitable[bool]]:
        bot = self.bot
        answering = (
            ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        )

        async def send(chat_id: str, plain: bool) -> bool:
            text = to_plain(item.text) if plain else item.text
            mode = None if plain else PARSE_MODE
            if item.kind == "photo" and item.image is not None:
                await bot.send_photo(
                    chat_ref(chat_id),
                    photo=item.image.png,
                    caption=text or None,
                    parse_mode=mode,
                    reply_parameters=answering,
                    api_kwargs=_serialised(item),
                )
            elif item.kind == "document" and item.document is not None:
                await bot.send_document(
                    chat_ref(chat_id),
                    document=item.document.data,
                    filename=item.document.filename,
                    reply_parameters=answering,
                    api_kwargs=_serialised(item),
                )
            else:
                await bot.send_message(
                    chat_ref(chat_id),
                    text,
                    parse_mode=mode,
                    reply_parameters=answering,
                    api_kwargs=_serialised(item, text_message=True),
                )
            return True

        return send

    def _edit_action(
        self, message_id: int, item: Outgoing
    ) -> Callable[[str, bool], Awaitable[bool]]:
        bot = self.bot

        async def edit(chat_id: str, plain: bool) -> bool:
            try:
                await bot.edit_message_text(
                    to_plain(item.text) if plain else item.text,
                    chat_id=chat_ref(chat_id),
                    message_id=message_id,
                    parse_mode=None if plain else PARSE_MODE,
                    api_kwargs=_serialised(item, text_message=True),
                )
            except BadRequest as exc:
                problem = exc.message.lower()
                if "not modified" in problem:
                    return True  # the same menu pressed twice: nothing to change
                if "edit" in problem or "no text" in problem:
                    return False  # too old, deleted, or a photo: send a new message instead
                raise
            return True

        return edit

    async def _attempt(
        self, chat_id: str, action: Callable[[str, bool], Awaitable[T]]
    ) -> tuple[str, T]:
        """Run one request under the rate limits, retrying what is worth retrying.

        Returns the chat id the request finally went to (it changes when a group has become a
        supergroup) and the action's result; raises :mod:`bot.errors` types otherwise.
        """
        tries, plain, migrated = 0, False, False
        while True:
            await self.limiter.acquire(chat_id)
            try:
                async with self._in_flight:
                    result = await action(chat_id, plain)
                return chat_id, result
            except RetryAfter as exc:
                seconds = _retry_seconds(exc)
                tries += 1
                if tries >= self.retry.attempts or seconds > self.retry.max_wait:
                    raise RetryLater(seconds) from exc
                log.warning("Telegram: 429 for chat %s; retrying in %gs", chat_id, seconds)
                await self.sleep(seconds)
            except ChatMigrated as exc:
                new_id = str(exc.new_chat_id)
                if migrated:
                    raise ChatMoved(new_id) from exc
                await self.chats.migrate(PLATFORM, chat_id, new_id)
                log.info("Telegram: chat %s became supergroup %s; resending", chat_id, new_id)
                chat_id, migrated = new_id, True
            except Forbidden as exc:
                await self.chats.deactivate(PLATFORM, chat_id, exc.message)
                raise Unreachable(exc.message) from exc
            except BadRequest as exc:
                problem = exc.message.lower()
                if not plain and ("parse entities" in problem or "tag" in problem):
                    log.warning("Telegram: formatting refused (%s); resending plain", exc.message)
                    plain = True
                    continue
                if "chat not found" in problem or "user not found" in problem:
                    await self.chats.deactivate(PLATFORM, chat_id, exc.message)
                    raise Unreachable(exc.message) from exc
                if "need administrator rights" in problem:
                    raise MissingPermission("Post messages") from exc
                if "not enough rights" in problem:
                    right = "Send photos" if "photo" in problem else "Send messages"
                    raise MissingPermission(right) from exc
                raise DeliveryError(f"Telegram refused the message: {exc.message}") from exc
            except NetworkError as exc:  # TimedOut included
                tries += 1
                if tries >= self.retry.attempts:
                    raise TransientError(str(exc)) from exc
                delay = min(self.retry.backoff * 2 ** (tries - 1), self.retry.max_backoff)
                log.warning("Telegram: %s for chat %s; retrying in %gs", exc, chat_id, delay)
                await self.sleep(delay)
            except TelegramError as exc:
                raise DeliveryError(str(exc)) from exc
