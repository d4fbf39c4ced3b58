"""/mydata and /forget: people can see everything stored about them and delete it."""

from __future__ import annotations

import json

from bot.actions import action
from bot.context import Context
from bot.messages import Button, Document, Reply, Section
from bot.router import Router
from handlers.common import answer

router = Router("privacy")


def _describe(rows: list[dict[str, object]] | dict[str, object]) -> list[str]:
    rows = [rows] if isinstance(rows, dict) else rows
    return ["; ".join(f"{k}: {v}" for k, v in row.items() if v not in (None, "")) for row in rows]


async def _private_chats(ctx: Context) -> list[str]:
    """The asker's private chats with the bot that this message can tell us about: the chat
    itself when it is private, and the one the platform names (a Discord DM's channel id is
    not the person's id, and /forget may be sent from a server)."""
    chats = [] if ctx.in_group else [ctx.inbound.chat_id]
    find = getattr(ctx.platform, "private_chat_of", None)
    if find is not None and (found := await find(ctx.inbound.user_id)) is not None:
        chats.append(found)
    return chats


@router.action("mydata")
@router.command(
    "mydata",
    "See everything stored about you",
    personal=True,
    also=("data", "privacy", "export", "gdpr"),
)
async def mydata(ctx: Context) -> Reply:
    data = await ctx.services.privacy.export(ctx.user, await _private_chats(ctx))
    reply = Reply(title="What I store about you", personal=True)
    labels = {
        "profile": "Profile",
        "goals": "Study goals",
        "weeks_done": "Weeks marked done",
        "subscriptions": "Weekly messages",
        "group_summaries_you_set": "Group summaries you scheduled (kept for the group)",
        "deliveries": "Messages sent to you",
        "conversation": "Unfinished conversation",
        "risk_check": "Your own risk check",
        "private_chat": "Our chat",
        "private_chat_settings": "Settings of our chat",
    }
    for key, label in labels.items():
        rows = data[key]
        if rows:
            reply.add(Section(heading=label, bullets=_describe(rows)))
    reply.add(
        Section(
            paragraphs=[
                "Nothing else: I keep no message text. The attached file holds the same data. "
                "Send /forget to delete all of it."
            ]
        )
    )
    reply.document = Document(
        "careerbot-mydata.json",
        json.dumps(data, indent=2, ensure_ascii=False).encode(),
        "application/json",
    )
    return reply


@router.command(
    "forget",
    "Delete everything stored about you",
    personal=True,
    also=("delete", "deleteme", "erase", "unregister"),
)
async def forget(ctx: Context) -> Reply:
    reply = Reply.text(
        "This deletes your profile, chosen role, study goals, weekly reminders, risk check answers "
        "and history. "
        "It cannot be undone. Delete everything?",
        title="Delete my data",
    )
    reply.personal = True
    reply.buttons = [
        [
            Button("Yes, delete everything", action("forget", "yes")),
            Button("No, keep it", action("forget", "no")),
        ]
    ]
    return reply


@router.action("forget")
async def forget_confirmed(ctx: Context) -> Reply:
    if ctx.action is None or ctx.action.arg(0) != "yes":
        return answer(ctx, Reply.text("Nothing was deleted."))
    deleted = await ctx.services.privacy.forget(ctx.user, await _private_chats(ctx))
    ctx.services.chats.forget(ctx.user.platform, deleted)
    # What the platform keeps on its side (the terminal chat's saved menu).
    drop = getattr(ctx.platform, "forget_user", None)
    if drop is not None:
        await drop(ctx.inbound.user_id)
    reply = Reply.text(
        "Done: everything I stored about you is deleted. If you write to me again I will start "
        "from scratch."
    )
    reply.personal = True
    return answer(ctx, reply)
