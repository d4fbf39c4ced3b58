"""Telegram chats: how their ids are written, what kind each is, and who may do what in them.

Moderator checks read Telegram's list of chat administrators, cached for a few minutes per chat
in a bounded map (a busy group asks once, not at every /summary); ``missing_permission`` names the
right the bot lacks before a moderator schedules posts into a chat.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from telegram import Bot, Chat
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.messages import ChatKind
from domain.lru import LruMap

log = logging.getLogger("careerbot.telegram")

PLATFORM = "telegram"

_NUMERIC_ID = re.compile(r"-?[0-9]{1,20}")
"""ASCII digits only: ``str.isdigit`` accepts "²", which ``int`` refuses."""


def chat_ref(chat_id: str) -> int | str:
    """Numeric ids as numbers; ``@channelname`` as it is."""
    return int(chat_id) if _NUMERIC_ID.fullmatch(chat_id) else chat_id


def chat_kind(chat: Chat) -> ChatKind:
    if chat.type == ChatType.PRIVATE:
        return "private"
    if chat.type == ChatType.CHANNEL:
        return "channel"
    return "group"


class ChatRights:
    """Who moderates a chat, and whether the bot may post in it."""

    def __init__(self, bot: Bot, clock: Callable[[], float], cache_seconds: float) -> None:
        self.bot = bot
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._admins: LruMap[str, tuple[float, frozenset[str]]] = LruMap(10_000)

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        if user_id == chat_id:
            # A private chat's owner, an anonymous admin or a channel signing as itself.
            return True
        return user_id in await self._administrators(chat_id)

    async def _administrators(self, chat_id: str) -> frozenset[str]:
        now = self.clock()
        cached = self._admins.peek(chat_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            members = await self.bot.get_chat_administrators(chat_ref(chat_id))
        except TelegramError as exc:
            log.info("Telegram: cannot list the administrators of %s: %s", chat_id, exc)
            return frozenset()
        admins = frozenset(str(member.user.id) for member in members)
        self._admins.put(chat_id, (now + self.cache_seconds, admins))
        return admins

    async def missing_permission(self, chat_id: str) -> str | None:
        bot = self.bot
        try:
            chat = await bot.get_chat(chat_ref(chat_id))
        except TelegramError:
            return "Post messages"  # not found or not visible: add the bot as an admin first
        right = "Post messages" if chat.type == ChatType.CHANNEL else "Send messages"
        try:
            member = await bot.get_chat_member(chat.id, bot.id)
        except TelegramError:
            return right
        status = member.status
        if chat.type == ChatType.CHANNEL:
            if status != ChatMemberStatus.ADMINISTRATOR or not getattr(
                member, "can_post_messages", False
            ):
                return right
            return None
        if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
            return right
        if status == ChatMemberStatus.RESTRICTED and not getattr(member, "can_send_messages", True):
            return right
        return None
