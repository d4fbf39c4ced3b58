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


@router.command("mydata", "See everything stored about you", personal=True)
async def mydata(ctx: Context) -> Reply:
    data = await ctx.services.privacy.export(ctx.user, ctx.inbound.chat_id)
    reply = Reply(title="What I store about you", personal=True)
    labels = {
        "profile": "Profile",
        "goals": "Study goals",
        "weeks_done": "Weeks marked done",
        "subscriptions": "Weekly messages",
        "deliveries": "Messages sent to you",
        "conversation": "Unfinished conversation",
        "risk_check": "Your own risk check",
        "private_chat": "Our chat",
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


@router.command("forget", "Delete everything stored about you", personal=True)
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
    await ctx.services.privacy.forget(ctx.user, ctx.inbound.chat_id)
    reply = Reply.text(
        "Done: everything I stored about you is deleted. If you write to me again I will start "
        "from scratch."
    )
    reply.personal = True
    return answer(ctx, reply)
