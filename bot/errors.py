"""Errors as types, so the delivery layer can decide retry, pause or give up by class alone."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be delivered."""


class RetryLater(DeliveryError):
    """The platform asked us to wait (HTTP 429) before trying again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate limited; retry after {seconds:g}s")
        self.seconds = seconds


class TransientError(DeliveryError):
    """A time-out or network error: worth retrying with backoff."""


class Unreachable(DeliveryError):
    """Permanent for this chat: the user blocked the bot, closed DMs or the bot was removed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChatMoved(DeliveryError):
    """The chat has a new id (a Telegram group became a supergroup)."""

    def __init__(self, new_chat_id: str) -> None:
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class MissingPermission(DeliveryError):
    """The bot lacks a right it needs in that chat; ``permission`` names it for the user."""

    def __init__(self, permission: str) -> None:
        super().__init__(f"missing permission: {permission}")
        self.permission = permission


class StartFailed(Exception):
    """A platform or the database could not start; the message is one line for the operator.

    ``retry`` says whether trying again may help (a network error) or not (a rejected token).
    Raised ``from None`` by design: a library's exception may carry the token in its text.
    """

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry
