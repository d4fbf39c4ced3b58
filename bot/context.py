"""What a handler gets: the inbound message, the person, the services and the platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.actions import Action
from bot.messages import Inbound, Reply
from bot.platform import Platform
from storage.conversations import DEFAULT_TTL, State, StateKey, row_state
from storage.models import ConversationState, User

if TYPE_CHECKING:
    from bot.services import Services
    from content.schema import RolePack


def paused_name(state: str) -> str:
    """The name a conversation is kept under while another command interrupts it: free text no
    longer reaches it, and its own command (e.g. /goal) picks it up again."""
    return f"paused:{state}"


class StaleAction(Exception):
    """A button names something that no longer exists; answered with "this menu has expired"."""


class Answer(Exception):
    """Stop handling and answer with ``reply``: lets helpers such as role look-up end a handler."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("early answer")
        self.reply = reply


@dataclass(slots=True)
class Context:
    inbound: Inbound
    services: Services
    platform: Platform
    command: str | None = None
    args: str = ""
    action: Action | None = None
    _user: User | None = None
    _state: State | None = None
    _state_loaded: bool = False
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> User:
        if self._user is None:
            raise RuntimeError("the identify middleware has not run")
        return self._user

    @user.setter
    def user(self, user: User) -> None:
        self._user = user

    @property
    def now(self) -> datetime:
        return self.services.clock.now()

    @property
    def in_group(self) -> bool:
        return self.inbound.chat_kind != "private"

    @property
    def state_key(self) -> StateKey:
        return StateKey(self.inbound.platform, self.inbound.chat_id, self.inbound.user_id)

    def role(self, role_id: str | None = None) -> RolePack:
        """The role named, else the person's chosen role, else the default role."""
        library = self.services.library
        for candidate in (role_id, self.user.role_id if self._user else None):
            if candidate and (pack := library.get(candidate)) is not None:
                return pack
        return library.default

    def action_role(self, index: int = 0) -> RolePack:
        """The role a button names; a role that no longer exists makes the menu stale."""
        role_id = self.action.arg(index) if self.action else None
        pack = self.services.library.get(role_id or "")
        if pack is None:
            raise StaleAction(role_id or "")
        return pack

    def preload_state(self, row: ConversationState | None) -> None:
        """Take the state read together with the user, so routing needs no second query."""
        self._state = row_state(row, self.now)
        self._state_loaded = True

    async def state(self) -> State | None:
        if not self._state_loaded:
            self._state = await self.services.conversations.get(self.state_key, self.now)
            self._state_loaded = True
        return self._state

    async def set_state(
        self, name: str, data: dict[str, Any], ttl: timedelta = DEFAULT_TTL
    ) -> None:
        self._state, self._state_loaded = State(name, data), True
        await self.services.conversations.set(self.state_key, self._state, self.now, ttl)

    async def clear_state(self) -> None:
        if self._state_loaded and self._state is None:
            return
        self._state, self._state_loaded = None, True
        await self.services.conversations.clear(self.state_key)
