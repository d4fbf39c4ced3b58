"""/start, /help and the main menu."""

from __future__ import annotations

from bot import replies
from bot.context import Context, paused_name
from bot.messages import Reply, Section
from bot.router import CommandInfo, Router
from handlers.common import answer, target_role

router = Router("start")

GREETING = (
    "Hi! I help people whose work is changing because of AI. For a role I can show how much of "
    "its work AI could take over, which tasks are at risk, a plan to protect your career, "
    "answers to common questions and a certification roadmap. You can also just ask me a "
    "question."
)


@router.command("start", "Start here: the main menu", also=("menu", "home", "main"))
async def start(ctx: Context) -> Reply:
    return replies.menu(ctx.role(), greeting=GREETING)


@router.action("menu")
async def menu(ctx: Context) -> Reply:
    return answer(ctx, replies.menu(target_role(ctx)))


async def usable_commands(ctx: Context) -> list[CommandInfo]:
    """The commands the asker may use where they asked: the goal commands only in a private
    chat, the moderators' ones only to a moderator of this group."""
    if not ctx.in_group:
        return [i for i in ctx.services.router_commands if i.scope != "moderator"]
    moderator = await ctx.platform.is_moderator(ctx.inbound.chat_id, ctx.inbound.user_id)
    return [
        i
        for i in ctx.services.router_commands
        if i.scope == "all" or (i.scope == "moderator" and moderator)
    ]


@router.command(
    "cancel",
    "Stop what you are in the middle of, such as setting a goal",
    also=("stop", "quit", "exit", "abort"),
)
async def cancel(ctx: Context) -> Reply:
    """Ends a conversation outright; the dispatcher has already set it aside for this command."""
    state = await ctx.state()
    if state is None:
        return Reply.text("There is nothing to cancel: you are not in the middle of anything.")
    await ctx.clear_state()
    name = state.name.removeprefix(paused_name(""))
    return Reply.text(ctx.services.cancelled_notes.get(name, "Cancelled; nothing was saved."))


@router.command("help", "What I can do and how to ask", also=("commands", "info"))
async def help_(ctx: Context) -> Reply:
    listed = [
        f"/{info.name}{' [role]' if info.takes_role else ''} — {info.description}"
        for info in await usable_commands(ctx)
    ]
    reply = Reply(title="How to use careerbot")
    reply.add(Section(heading="Commands", bullets=listed))
    reply.add(
        Section(
            heading="Questions",
            paragraphs=[
                "Outside groups you can type a question in your own words, for example "
                "“will AI replace ML engineers?” or “which certification first?”. "
                "Where a command takes a role, write it after the command: /risk ml engineer."
            ],
        )
    )
    return reply
