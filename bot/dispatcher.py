"""Turns one :class:`Inbound` into at most one :class:`Reply`.

Every adapter calls :meth:`Dispatcher.feed` and nothing else. The middleware chain wraps the
routing step like an onion (aiogram's pattern): the outermost layer turns any exception into a
friendly reply with an error id, so one bad update never stops the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from bot import replies
from bot.actions import MalformedAction, parse
from bot.context import Answer, Context, StaleAction, paused_name
from bot.messages import Inbound, Reply, Section
from bot.platform import Platform
from bot.router import Handler, Router
from bot.services import Services

Middleware = Callable[[Handler, Context], Awaitable[Reply | None]]


class Dispatcher:
    def __init__(
        self, router: Router, services: Services, middlewares: Sequence[Middleware] = ()
    ) -> None:
        self.router = router
        self.services = services
        self.middlewares = list(middlewares)
        chain: Handler = self._route
        for middleware in reversed(self.middlewares):
            chain = partial(middleware, chain)
        self._chain = chain

    async def feed(self, inbound: Inbound, platform: Platform) -> Reply | None:
        ctx = Context(inbound=inbound, services=self.services, platform=platform)
        return await self._chain(ctx)

    async def _route(self, ctx: Context) -> Reply | None:
        inbound = ctx.inbound
        try:
            if inbound.kind == "action":
                return await self._route_action(ctx)
            text = inbound.text
            if text.startswith("/"):
                return await self._route_command(ctx, text)
            return await self._route_text(ctx)
        except StaleAction:
            return replies.expired(ctx)
        except Answer as answer:
            return answer.reply

    async def _route_action(self, ctx: Context) -> Reply | None:
        try:
            ctx.action = parse(ctx.inbound.text)
        except MalformedAction:
            return replies.expired(ctx)
        handler = self.router.actions.get(ctx.action.name)
        if handler is None:
            return replies.expired(ctx)
        return await handler(ctx)

    async def _route_command(self, ctx: Context, text: str) -> Reply | None:
        head, _, rest = text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        ctx.command, ctx.args = name, rest.strip()
        info = self.router.commands.get(name)
        if info is None and name in self.router.aliases:
            ctx.command = self.router.aliases[name]  # "/occupation welder" is "/risk welder"
            info = self.router.commands[ctx.command]
        # A command is a change of subject. A conversation that can be picked up again is kept
        # aside (and the reply says so); any other half-finished one ends here.
        note = await self._set_aside(ctx)
        try:
            reply = replies.unknown_command(ctx, name) if info is None else await info.handler(ctx)
        except Answer as answer:
            reply = answer.reply
        state = await ctx.state()
        still_aside = state is not None and state.name.startswith(paused_name(""))
        if note is not None and reply is not None and still_aside:
            reply.sections.insert(0, Section(paragraphs=[note]))
        return reply

    async def _set_aside(self, ctx: Context) -> str | None:
        state = await ctx.state()
        if state is None:
            return None
        note = self.router.paused_notes.get(state.name)
        if note is None:
            if not state.name.startswith(paused_name("")):
                await ctx.clear_state()
            return None
        await ctx.set_state(paused_name(state.name), state.data)
        return note

    async def _route_text(self, ctx: Context) -> Reply | None:
        state = await ctx.state()
        if state is not None and (handler := self.router.states.get(state.name)) is not None:
            return await handler(ctx)
        if ctx.in_group:
            # In a group people talk to each other; only commands are meant for the bot.
            return None
        if self.router.text_handler is None:
            return replies.unknown_text(ctx)
        return await self.router.text_handler(ctx)
