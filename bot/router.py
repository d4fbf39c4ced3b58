"""Declarative routing, in the style of aiogram's routers.

Each handler module owns a :class:`Router` and registers on it what it answers: commands, button
actions, steps of a conversation, or free text. :func:`handlers.build_router` includes them all
into one. Command metadata (description, whether it takes a role, whether the answer is personal)
lives here too, so the Telegram menu and Discord's slash commands are built from the same source.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from bot.context import Context
from bot.messages import Reply

Handler = Callable[[Context], Awaitable[Reply | None]]
Scope = Literal["all", "private", "moderator"]


@dataclass(frozen=True, slots=True)
class CommandInfo:
    name: str
    description: str
    handler: Handler
    takes_role: bool = False
    """Accepts a role name argument; Discord offers it as an autocompleted option."""
    personal: bool = False
    """Answers with data about the asker; shown privately where the platform can."""
    scope: Scope = "all"
    options: tuple[str, ...] = ()
    """Names of extra free-text arguments, for platforms that ask for them separately."""
    also: tuple[str, ...] = ()
    """Other names people type for it ("/subscribe" for /goal, "/occupation" for /risk): typed,
    they run it with their arguments, but menus and /help list only the real name."""


class DuplicateRoute(ValueError):
    """Two handlers claimed the same command, action or state; caught when the router is built."""


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: dict[str, CommandInfo] = {}
        self.aliases: dict[str, str] = {}
        """Each other name (``also``) and the command it points to."""
        self.actions: dict[str, Handler] = {}
        self.states: dict[str, Handler] = {}
        self.paused_notes: dict[str, str] = {}
        """What to tell someone whose conversation a command interrupted, by state name."""
        self.cancelled_notes: dict[str, str] = {}
        """What /cancel says when it ends that conversation, by state name."""
        self.text_handler: Handler | None = None

    def command(
        self,
        name: str,
        description: str,
        *,
        takes_role: bool = False,
        personal: bool = False,
        scope: Scope = "all",
        options: tuple[str, ...] = (),
        also: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            info = CommandInfo(
                name, description, handler, takes_role, personal, scope, options, also
            )
            self._add_command(info, self.name)
            return handler

        return register

    def action(self, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            _claim(self.actions, name, self.name, "action")
            self.actions[name] = handler
            return handler

        return register

    def state(
        self, name: str, *, paused: str | None = None, cancelled: str | None = None
    ) -> Callable[[Handler], Handler]:
        """Handle free text while a person is at step ``name`` of a conversation. ``paused`` is
        what to say when a command interrupts it (the conversation is kept, not dropped) and
        ``cancelled`` what /cancel says when it ends it."""

        def register(handler: Handler) -> Handler:
            _claim(self.states, name, self.name, "state")
            self.states[name] = handler
            if paused is not None:
                self.paused_notes[name] = paused
            if cancelled is not None:
                self.cancelled_notes[name] = cancelled
            return handler

        return register

    def text(self) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if self.text_handler is not None:
                raise DuplicateRoute(f"router {self.name!r} already has a text handler")
            self.text_handler = handler
            return handler

        return register

    def include(self, *routers: Router) -> Router:
        for router in routers:
            for info in router.commands.values():
                self._add_command(info, router.name)
            for name, handler in router.actions.items():
                _claim(self.actions, name, router.name, "action")
                self.actions[name] = handler
            for name, handler in router.states.items():
                _claim(self.states, name, router.name, "state")
                self.states[name] = handler
            self.paused_notes.update(router.paused_notes)
            self.cancelled_notes.update(router.cancelled_notes)
            if router.text_handler is not None:
                if self.text_handler is not None:
                    raise DuplicateRoute(f"two text handlers (second from {router.name!r})")
                self.text_handler = router.text_handler
        return self

    def _add_command(self, info: CommandInfo, owner: str) -> None:
        """A name means one thing: a command, or another name for exactly one command."""
        _claim(self.commands, info.name, owner, "command")
        _claim(self.aliases, info.name, owner, "command (already another name for a command)")
        for alias in info.also:
            _claim(self.commands, alias, owner, "other name (already a command)")
            _claim(self.aliases, alias, owner, "other name")
            self.aliases[alias] = info.name
        self.commands[info.name] = info


def _claim(table: dict[str, object], name: str, owner: str, what: str) -> None:
    if name in table:
        raise DuplicateRoute(f"{what} {name!r} registered twice (again by {owner!r})")
