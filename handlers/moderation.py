"""/summary: group moderators post a role summary into their group or a linked channel.

Grammar (the same on every platform; Discord's slash options are translated into it):

- ``/summary [role]`` — in a group, post the summary here; in a private chat, show a preview.
- ``/summary link <channel>`` — link a channel to this group for posting.
- ``/summary post [role] [to <channel>]`` — post into the linked channel, or the one named.
- ``/summary every <weekday> <HH:MM> [zone] [role] [to <channel>]`` — post weekly (the
  schedule lives in handlers.nudges and is sent by the scheduler's tick).
- ``/summary schedules`` and ``/summary cancel <n>`` — list and cancel this chat's schedules.

Authorisation is asked of the platform every time (Telegram's chat administrators, Discord's
member permissions), in the chat the action concerns: this chat for posting here, the channel
for posting there, and for a schedule the chat it posts into — so a demoted admin, or a group
whose admin lost rights in the linked channel, can no longer see or cancel it. A stored flag is
never trusted.
"""

from __future__ import annotations

from datetime import UTC

from sqlmodel import select

from bot.context import Context
from bot.errors import DeliveryError, MissingPermission, Unreachable
from bot.messages import Reply, Target
from bot.router import Router
from content.schema import RolePack
from handlers import nudges
from handlers.common import unknown_role
from handlers.roles import summary
from storage.models import GroupSettings, Subscription

router = Router("moderation")

REFUSAL = (
    "Only this chat's administrators (on Discord: members who can manage the server or "
    "messages) can post role summaries here."
)


def parse_summary_args(args: str) -> tuple[str, str, str | None]:
    """Split into (verb, role text, channel): verb is "here", "link" or "post"."""
    words = args.split()
    verb = "here"
    if words and words[0].lower() in ("link", "post"):
        verb = words.pop(0).lower()
    channel = None
    if verb == "link":
        return verb, "", " ".join(words) or None
    if "to" in (w.lower() for w in words):
        at = [w.lower() for w in words].index("to")
        channel = " ".join(words[at + 1 :]) or None
        words = words[:at]
    return verb, " ".join(words), channel


MAX_CHANNEL = 64
"""Longest channel reference stored (Telegram @names are at most 32, ids about 14)."""


def channel_problem(channel: str) -> str | None:
    """Why ``channel`` cannot name a channel, or None: what the person typed is checked before
    any platform call or database write."""
    if len(channel) > MAX_CHANNEL or any(ch.isspace() for ch in channel):
        return (
            "That doesn't look like a channel: give its @name or numeric id "
            f"(at most {MAX_CHANNEL} characters, no spaces)."
        )
    return None


def _role(ctx: Context, text: str, group_role: str | None) -> RolePack | Reply:
    if text:
        pack = ctx.services.index.resolve_role(text)
        return pack if pack is not None else unknown_role(ctx, text)
    return ctx.role(group_role)


async def _settings(ctx: Context) -> GroupSettings | None:
    async with ctx.services.db.session() as session:
        result = await session.exec(
            select(GroupSettings).where(
                GroupSettings.platform == ctx.inbound.platform,
                GroupSettings.chat_id == ctx.inbound.chat_id,
            )
        )
        return result.first()


async def _save_link(ctx: Context, channel: str) -> None:
    now = ctx.now.astimezone(UTC)
    async with ctx.services.db.session() as session:
        row = (
            await session.exec(
                select(GroupSettings).where(
                    GroupSettings.platform == ctx.inbound.platform,
                    GroupSettings.chat_id == ctx.inbound.chat_id,
                )
            )
        ).first() or GroupSettings(
            platform=ctx.inbound.platform, chat_id=ctx.inbound.chat_id, updated_utc=now
        )
        row.linked_channel_id, row.updated_utc = channel, now
        session.add(row)
        await session.commit()


async def post_summary(ctx: Context, role: RolePack, channel: str) -> Reply:
    """Post into ``channel`` after checking the bot may; name any missing right plainly."""
    missing = await ctx.platform.missing_permission(channel)
    if missing is not None:
        return Reply.text(f"I can't post in that channel: I need the “{missing}” permission there.")
    try:
        await ctx.platform.send(Target(ctx.inbound.platform, channel), summary(role))
    except MissingPermission as exc:
        return Reply.text(
            f"I can't post in that channel: I need the “{exc.permission}” permission there."
        )
    except Unreachable as exc:
        return Reply.text(f"I can't reach that channel ({exc.reason}).")
    except DeliveryError:
        return Reply.text("Posting failed for now; please try again in a minute.")
    return Reply.text(f"Posted the {role.title} summary to the channel.")


@router.command(
    "summary",
    "Moderators: post a role summary here or to a linked channel",
    takes_role=True,
    scope="moderator",
    options=("channel",),
    also=("post", "share", "broadcast", "summarise", "summarize"),
)
async def summary_command(ctx: Context) -> Reply:
    first, _, rest = ctx.args.strip().partition(" ")
    if first.lower() in ("every", "schedules", "cancel"):
        return await _scheduled(ctx, first.lower(), rest.strip())
    verb, role_text, channel = parse_summary_args(ctx.args)
    if channel is not None and (problem := channel_problem(channel)):
        return Reply.text(problem)
    settings = await _settings(ctx) if ctx.in_group else None
    role = _role(ctx, role_text, settings.role_id if settings else None)
    if isinstance(role, Reply):
        return role
    if not ctx.in_group and verb != "here":
        return Reply.text(
            "Linking and posting to a channel belong in a group: add me to the group, then "
            "send /summary link <channel> there (you must administer both). Here, /summary "
            "[role] shows a preview."
        )
    if not ctx.in_group and verb == "here":
        preview = summary(role)
        preview.title = f"Preview — {preview.title}"
        preview.footer = (
            "This is how the summary looks. Send /summary in a group where you are an "
            "administrator to post it there."
        )
        return preview
    if not await ctx.platform.is_moderator(ctx.inbound.chat_id, ctx.inbound.user_id):
        return Reply.text(REFUSAL)
    if verb == "here":
        return summary(role)
    if verb == "link":
        if channel is None:
            return Reply.text("Name the channel to link: /summary link <channel id or @name>.")
        if not await ctx.platform.is_moderator(channel, ctx.inbound.user_id):
            return Reply.text("You need to be an administrator of that channel to link it.")
        missing = await ctx.platform.missing_permission(channel)
        if missing is not None:
            return Reply.text(f"I can't post in that channel: I need the “{missing}” permission.")
        await _save_link(ctx, channel)
        return Reply.text("Linked. Moderators can now send /summary post [role] to post there.")
    target = channel or (settings.linked_channel_id if settings else None)
    if target is None:
        return Reply.text("No channel is linked yet. Use /summary link <channel> first.")
    # Asked again even for the linked channel: rights there may have been lost since linking.
    if not await ctx.platform.is_moderator(target, ctx.inbound.user_id):
        return Reply.text("You need to be an administrator of that channel to post there.")
    return await post_summary(ctx, role, target)


async def _scheduled(ctx: Context, verb: str, rest: str) -> Reply:
    """Weekly posts: set, list or cancel them; moderators only, asked of the platform each time."""
    if not ctx.in_group:
        return Reply.text(
            "Scheduled summaries belong to a group or channel: send this in the group, "
            "where I can check that you are one of its administrators."
        )
    if not await ctx.platform.is_moderator(ctx.inbound.chat_id, ctx.inbound.user_id):
        return Reply.text(REFUSAL)
    settings = await _settings(ctx)
    linked = settings.linked_channel_id if settings else None
    if verb == "every":
        channel = parse_summary_args(rest)[2]
        if channel is not None and (problem := channel_problem(channel)):
            return Reply.text(problem)
        return await nudges.schedule_summary(ctx, rest, settings.role_id if settings else None)
    subs = await _manageable_schedules(ctx, linked)
    if verb == "schedules":
        return await nudges.list_schedules(ctx, subs)
    return await nudges.cancel_schedule(ctx, rest, subs)


async def _manageable_schedules(ctx: Context, linked: str | None) -> list[Subscription]:
    """The schedules the asker may list and cancel from this chat, rights re-checked each time.

    This chat's own (its moderator is asking), the linked channel's and the channels the asker
    scheduled from anywhere — each only while the asker moderates that channel now. Another
    group's schedules are never shown here: their chat id is that group's business.
    """
    inbound = ctx.inbound
    chats = [inbound.chat_id] + ([linked] if linked else [])
    subs = await ctx.services.subscriptions.summaries_for(inbound.platform, chats, ctx.user.id)
    allowed: dict[str, bool] = {inbound.chat_id: True}
    for sub in subs:
        if sub.chat_id in allowed:
            continue
        known = await ctx.services.chats.get(inbound.platform, sub.chat_id)
        if known is not None and known.kind != "channel" and sub.chat_id != linked:
            allowed[sub.chat_id] = False
        else:
            allowed[sub.chat_id] = await ctx.platform.is_moderator(sub.chat_id, inbound.user_id)
    return [sub for sub in subs if allowed[sub.chat_id]]
