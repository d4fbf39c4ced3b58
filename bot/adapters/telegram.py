"""Telegram, on python-telegram-bot: updates become :class:`Inbound`, replies become messages.

The adapter translates and nothing else: no advice, no SQL, no content look-ups. It runs a real
PTB :class:`~telegram.ext.Application` — long polling by default, a webhook (with Telegram's
secret token checked on every request) when ``TELEGRAM_WEBHOOK_URL`` is set — and implements the
core's :class:`bot.platform.Platform` for handlers and the scheduler: ``send`` is
:class:`~bot.adapters.telegram_send.Sender`'s (pacing, retries, Telegram's errors mapped to
:mod:`bot.errors`); ``is_moderator`` and ``missing_permission`` are
:class:`~bot.adapters.telegram_chats.ChatRights`'.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import (
    Conflict,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.telegram_chats import PLATFORM, ChatRights, chat_kind
from bot.adapters.telegram_limits import PerChatProcessor, RateLimits, SendLimiter, Sleep
from bot.adapters.telegram_request import JsonBodyRequest
from bot.adapters.telegram_send import CONNECTION_POOL, POOL_WAIT, RetryPolicy, Sender
from bot.errors import (
    DeliveryError,
    StartFailed,
    Unreachable,
)
from bot.messages import Inbound, Reply, Target

if TYPE_CHECKING:
    from bot.app import CareerBot

log = logging.getLogger("careerbot.telegram")

ALLOWED_UPDATES = ["message", "channel_post", "callback_query", "my_chat_member"]
"""Edited messages are not even requested: an edit never triggers a second answer."""
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?(?=\s|$)(.*)\Z", re.DOTALL)
_BOT_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def api_urls(api_url: str) -> tuple[str, str]:
    """``TELEGRAM_API_URL`` as PTB's (base_url, base_file_url); ``/bot`` is optional."""
    root = api_url.rstrip("/")
    root = root.removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def _owner(message: object) -> str | None:
    """Who a bot message answered: the sender of the message it replies to (the bot sends its
    answers in groups as replies); None when it replies to nothing, e.g. a posted summary."""
    original = message.reply_to_message if isinstance(message, Message) else None
    if original is None:
        return None
    sender = original.sender_chat or original.from_user
    return str(sender.id) if sender is not None else None


class _DropConflictTracebacks(logging.Filter):
    """PTB logs a traceback when its last getUpdates on shutdown meets the same 409 we report."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], Conflict))


class TelegramAdapter:
    """A :class:`bot.runner.Component` and a :class:`bot.platform.Platform` for Telegram."""

    name = PLATFORM

    def __init__(
        self,
        bot: CareerBot,
        *,
        limits: RateLimits | None = None,
        retry: RetryPolicy | None = None,
        admin_cache_seconds: float = 300.0,
        poll_timeout: float = 10.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = bot.settings
        if settings.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.bot = bot
        self.settings = settings
        self.poll_timeout = poll_timeout
        self.finished = asyncio.Event()
        """Set when the adapter stopped on its own (409 Conflict); the runner then shuts down."""
        self.conflict = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.processor = PerChatProcessor()

        builder = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token.get_secret_value())
            .concurrent_updates(self.processor)
            .job_queue(None)  # timed work is the scheduler's; no second APScheduler here
            .request(JsonBodyRequest(connection_pool_size=CONNECTION_POOL, pool_timeout=POOL_WAIT))
        )
        if settings.telegram_api_url:
            base_url, base_file_url = api_urls(settings.telegram_api_url)
            builder = builder.base_url(base_url).base_file_url(base_file_url)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        app = self.application
        self.sender = Sender(
            app.bot,
            bot.services.chats,
            bot.charts,
            SendLimiter(limits, sleep=sleep),
            retry or RetryPolicy(),
            sleep,
        )
        self.rights = ChatRights(app.bot, clock, admin_cache_seconds)
        app.add_handler(CallbackQueryHandler(self._on_callback))
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST, self._on_message
            )
        )
        app.add_handler(ChatMemberHandler(self._on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_error_handler(self._on_error)
        updater_log = logging.getLogger("telegram.ext.Updater")
        if not any(isinstance(f, _DropConflictTracebacks) for f in updater_log.filters):
            updater_log.addFilter(_DropConflictTracebacks())

    # ------------------------------------------------------------------ lifecycle

    @property
    def username(self) -> str:
        return self.application.bot.username

    async def start(self) -> None:
        app = self.application
        # ``from None`` on purpose: PTB's InvalidToken carries the token in its message, and a
        # chained traceback would print it.
        try:
            await app.initialize()
        except InvalidToken:
            raise StartFailed(
                "Telegram rejected TELEGRAM_BOT_TOKEN: copy the token again from @BotFather.",
                retry=False,
            ) from None
        except NetworkError as exc:
            raise StartFailed(
                f"Telegram is unreachable ({type(exc).__name__}): check the network "
                "(and TELEGRAM_API_URL, if set).",
                retry=True,
            ) from None
        log.info("Telegram: signed in as @%s (bot id %s)", app.bot.username, app.bot.id)
        await self._register_commands()
        await app.start()
        updater = app.updater
        assert updater is not None
        url = self.settings.telegram_webhook_url
        if url:
            secret = self.settings.telegram_webhook_secret
            if secret is None:
                log.warning(
                    "TELEGRAM_WEBHOOK_SECRET is not set: this process uses a random secret. "
                    "Set one when several workers share the webhook."
                )
            listen, port = (
                self.settings.telegram_webhook_listen,
                self.settings.telegram_webhook_port,
            )
            try:
                await updater.start_webhook(
                    listen=listen,
                    port=port,
                    url_path=urlsplit(url).path.lstrip("/"),
                    webhook_url=url,
                    secret_token=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
                    allowed_updates=ALLOWED_UPDATES,
                )
            except OSError as exc:
                raise StartFailed(
                    f"Telegram: cannot listen on {listen}:{port} ({exc.strerror or exc}): "
                    "change TELEGRAM_WEBHOOK_LISTEN or TELEGRAM_WEBHOOK_PORT.",
                    retry=False,
                ) from None
            log.info("Telegram: webhook %s, listening on %s:%s", url, listen, port)
        else:
            await updater.start_polling(
                timeout=timedelta(seconds=self.poll_timeout),
                allowed_updates=ALLOWED_UPDATES,
                error_callback=self._on_polling_error,
            )
            log.info("Telegram: long polling for updates")

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def _register_commands(self) -> None:
        infos = [i for i in self.bot.services.router_commands if _BOT_COMMAND_NAME.match(i.name)]
        private = [BotCommand(i.name, i.description[:256]) for i in infos if i.scope != "moderator"]
        group = [BotCommand(i.name, i.description[:256]) for i in infos if i.scope != "private"]
        bot = self.application.bot
        try:
            await bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats())
            await bot.set_my_commands(group, scope=BotCommandScopeAllGroupChats())
        except TelegramError as exc:
            log.warning("Telegram: could not register the command menu: %s", exc)

    def _on_polling_error(self, exc: TelegramError) -> None:
        if isinstance(exc, Conflict):
            if not self.conflict:
                self.conflict = True
                log.error(
                    "Telegram answered 409 Conflict: another process is already receiving "
                    "updates for this bot token (a second `careerbot run`, or another program "
                    "polling with it). Stopping Telegram here. Run exactly one poller, or use "
                    "a webhook (TELEGRAM_WEBHOOK_URL) to run several workers."
                )
                self._spawn(self._stop_after_conflict())
            return
        log.warning("Telegram: polling failed (%s); retrying", exc)

    async def _stop_after_conflict(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        self.finished.set()

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ updates in

    def _own_command(self, text: str) -> str | None:
        """``/cmd@thisbot args`` → ``/cmd args``; None for a command addressed to another bot."""
        match = _COMMAND.match(text)
        if match is None:
            return text
        name, addressee, rest = match.groups()
        if addressee and addressee.lower() != (self.username or "").lower():
            return None
        return f"/{name}{rest}"

    def inbound_from_message(self, message: Message) -> Inbound | None:
        chat = message.chat
        kind = chat_kind(chat)
        text = message.text or message.caption or ""
        if text.startswith("/"):
            own = self._own_command(text)
            if own is None:
                return None
            text = own
        elif not text and (kind != "private" or message.effective_attachment is None):
            return None  # service messages and silent media in groups are not for us
        if message.sender_chat is not None:
            # An anonymous group admin or a channel posting as itself: the chat is the sender.
            user_id, user_name = str(message.sender_chat.id), message.sender_chat.title
        elif message.from_user is not None:
            user_id, user_name = str(message.from_user.id), message.from_user.full_name
        else:
            user_id, user_name = str(chat.id), chat.title
        return Inbound(
            PLATFORM,
            user_id,
            str(chat.id),
            kind="text",
            text=text,
            chat_kind=kind,
            user_name=user_name,
            chat_title=chat.title,
            message_id=str(message.message_id),
        )

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        old, new = message.migrate_from_chat_id, message.chat.id
        if message.migrate_to_chat_id is not None:
            old, new = message.chat.id, message.migrate_to_chat_id
        if message.migrate_to_chat_id is not None or old is not None:
            await self.bot.services.chats.migrate(PLATFORM, str(old), str(new))
            log.info("Telegram: chat %s became supergroup %s; its rows moved", old, new)
            return
        inbound = self.inbound_from_message(message)
        if inbound is None:
            return
        reply = await self.bot.feed(inbound, self)
        if reply is not None:
            # In a group the answer is a reply to the asker's message: people see whom it
            # answers, and a button press on it can tell (Inbound.message_owner).
            reply_to = message.message_id if inbound.chat_kind != "private" else None
            await self._answer(inbound, reply, reply_to=reply_to)
            await self._picture(inbound, reply)

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()  # always, first: the client's spinner stops at once
        except TelegramError as exc:
            log.debug("Telegram: could not answer callback query %s: %s", query.id, exc)
        message = query.message
        if message is None:
            return  # a button on an inline-mode message: we never send those
        chat = message.chat
        inbound = Inbound(
            PLATFORM,
            str(query.from_user.id),
            str(chat.id),
            kind="action",
            text=query.data or "",
            chat_kind=chat_kind(chat),
            user_name=query.from_user.full_name,
            chat_title=chat.title,
            message_id=str(message.message_id),
            message_owner=_owner(message),
        )
        reply = await self.bot.feed(inbound, self)
        if reply is not None:
            editable = reply.edit and isinstance(message, Message)
            await self._answer(inbound, reply, edit=message.message_id if editable else None)
            await self._picture(inbound, reply)

    async def _on_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None:
            return
        status = change.new_chat_member.status
        if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
            private = change.chat.type == ChatType.PRIVATE
            reason = "user blocked the bot" if private else "bot was removed from the chat"
            await self.bot.services.chats.deactivate(PLATFORM, str(change.chat.id), reason)
            log.info("Telegram: chat %s inactive (%s)", change.chat.id, reason)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        if isinstance(error, DeliveryError):
            log.warning("Telegram: update %s: the reply was not delivered: %s", update_id, error)
        else:
            log.error("Telegram: update %s failed: %r", update_id, error, exc_info=error)

    async def _answer(
        self, inbound: Inbound, reply: Reply, edit: int | None = None, reply_to: int | None = None
    ) -> None:
        """Answer where the person asked; a personal answer asked in a group goes privately."""
        if reply.personal and inbound.chat_kind != "private" and inbound.user_id.isdigit():
            try:
                await self.deliver(inbound.user_id, reply)
            except Unreachable:
                reply = Reply.text(
                    f"That answer is private. Open a chat with @{self.username}, press Start, "
                    "and ask me there."
                )
            else:
                reply = Reply.text("I've sent you the answer in a private message.")
            edit = None
        await self.deliver(inbound.chat_id, reply, edit=edit, reply_to=reply_to)

    async def _picture(self, inbound: Inbound, reply: Reply) -> None:
        """The chart that was still being drawn when the text went, as a photo of its own."""
        picture = await self.bot.charts.follow_up(reply)
        if picture is None:
            return
        private = picture.personal and inbound.chat_kind != "private"
        try:
            await self.deliver(inbound.user_id if private else inbound.chat_id, picture)
        except DeliveryError as exc:
            log.info("Telegram: the chart for chat %s was not delivered: %s", inbound.chat_id, exc)

    # ------------------------------------------------------------------ replies out

    async def send(self, target: Target, reply: Reply) -> None:
        await self.deliver(target.chat_id, reply)

    async def deliver(
        self, chat_id: str, reply: Reply, *, edit: int | None = None, reply_to: int | None = None
    ) -> None:
        """See :meth:`bot.adapters.telegram_send.Sender.deliver`."""
        await self.sender.deliver(chat_id, reply, edit=edit, reply_to=reply_to)

    # ------------------------------------------------------------------ authorisation

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        return await self.rights.is_moderator(chat_id, user_id)

    async def missing_permission(self, chat_id: str) -> str | None:
        return await self.rights.missing_permission(chat_id)
