"""What the core may ask of the platform a message came from.

Adapters implement this small protocol; handlers use it for the few things only the platform can
answer (is this person a moderator here? may the bot post in that channel?) and to post into a
chat other than the one they are answering.

Two optional capabilities, looked up with ``getattr`` by handlers.privacy: ``async
private_chat_of(user_id) -> str | None`` (a platform whose private chat ids differ from user ids,
Discord, names the person's DM chat so /forget from a server finds it) and ``async
forget_user(user_id) -> None`` (a platform that keeps something of its own about the person,
the terminal chat's saved menu, deletes it).
"""

from __future__ import annotations

from typing import Protocol

from bot.messages import Reply, Target


class Platform(Protocol):
    name: str

    async def send(self, target: Target, reply: Reply) -> None:
        """Deliver ``reply``; raise a :class:`bot.errors.DeliveryError` subclass on failure."""
        ...

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        """Ask the platform itself; never trust a stored flag for authorisation."""
        ...

    async def missing_permission(self, chat_id: str) -> str | None:
        """The name of a right the bot lacks to post a summary in ``chat_id``, or None."""
        ...
