"""Button presses in groups: a message belongs to the person it answered.

Anyone in a group can press the buttons under a message the bot sent to someone else, and a
forged press can name any message. Such a press gets its own answer; only the person the
message answered may have it edited in place, and a message that answered nobody (a posted
summary) is never edited at all.
"""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply
from bot.router import Handler


async def own_messages_only(handler: Handler, ctx: Context) -> Reply | None:
    reply = await handler(ctx)
    inbound = ctx.inbound
    if (
        reply is not None
        and reply.edit
        and inbound.kind == "action"
        and inbound.chat_kind != "private"
        and inbound.message_owner != inbound.user_id
    ):
        reply.edit = False
    return reply
