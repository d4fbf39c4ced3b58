"""The weekly messages themselves and their buttons; scheduled role summaries for groups.

:func:`compose` turns a claimed send into a Reply for the scheduler. The buttons under a nudge
(Done this week / Snooze 1 day / Skip this week / Stop) carry the goal and week, or the
subscription and the occurrence, so an old nudge's button is recognised as old and answered
plainly instead of acting on the wrong week.

Scheduled summaries (``/summary every …``, ``/summary schedules``, ``/summary cancel <n>``) are
called from handlers.moderation, which owns the /summary command; the moderator check is asked of
the platform every time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from bot.actions import action, parse_number
from bot.context import Context, StaleAction
from bot.messages import Button, Reply, Section
from bot.router import Router
from bot.services import Services
from content.loader import Library
from domain.parsing import InputError, parse_clock, parse_weekday
from domain.studyplan import DomainSpec, plan_position, week_words
from domain.weekly import day_text, describe_local, first_session_day, zone
from domain.zones import resolve_timezone
from handlers.certs import cert_title
from handlers.goals import (
    domains_of,
    find_cert,
    next_nudge_text,
    nudge_buttons,
    occurrence_code,
    own_goal,
    plan_start,
    plural,
    schedule_text,
)
from handlers.roles import summary
from storage.goals import streak
from storage.models import Subscription
from storage.outbox import Claimed
from storage.subscriptions import current_occurrence, regular_next

router = Router("nudges")

SNOOZE = timedelta(days=1)


def compose(claimed: Claimed, services: Services) -> Reply | None:
    if claimed.kind == "summary":
        role = services.library.get(claimed.role_id)
        if role is None:
            return None
        reply = summary(role)
        reply.add(
            Section(paragraphs=["Weekly summary · moderators: /summary schedules to change it."])
        )
        return reply
    return nudge_reply(claimed, services)


def nudge_reply(claimed: Claimed, services: Services) -> Reply | None:
    """A weekly nudge in O(1). The plan's first day is stored with the goal when it is set or
    its weekly time changes (``claimed.plan_start``); the text comes from caches under small
    keys — the title and to-dos by (credential, plan length, week number), the closing line by
    (weeks left, exam date) or (week, plan length) — and only the arithmetic on this person's
    days and the buttons are their own.

    The cached sections are shared by every nudge that shows them, so they are never changed
    after they are made; adapters only read a reply (bot.render)."""
    goal_id = claimed.goal_id
    if goal_id is None:
        return None
    tz = claimed.timezone
    start = claimed.plan_start
    if start is None:  # a goal stored before plan starts were (or set by hand): work it out
        if claimed.goal_created is None:
            return None
        start = first_session_day(claimed.goal_created, claimed.weekday, claimed.local_time, tz)
    day = _local_day(claimed.occurrence, tz)
    exam = claimed.exam_date
    total, number, left = plan_position(start, exam, day)
    week = _week(services.library, claimed.role_id, claimed.cert_id, total, number, claimed.snoozed)
    if week is None:
        return None
    title, todo = week
    # Title, sections and buttons passed by position: half the cost of keywords, per nudge.
    return Reply(
        title,
        [todo, _plan_line(number, total) if left is None else _exam_line(left, exam)],
        nudge_buttons(goal_id, claimed.subscription_id, number, claimed.occurrence),
    )


@lru_cache(maxsize=8192)
def _week(
    library: Library, role_id: str, cert_id: str | None, total: int, number: int, snoozed: bool
) -> tuple[str, Section] | None:
    """(title, to-do section) of week ``number`` of a ``total``-week plan for this credential,
    or None when the credential is gone (per library object, so a reloaded pack is never served
    stale)."""
    credential = _credential(library, role_id, cert_id)
    if credential is None:
        return None
    name, domains = credential
    heading, todo = week_words(domains, total, number)
    title = f"{name} · {heading}"
    if snoozed:
        title = f"Reminder (snoozed) — {title}"
    # Every field by position: a dataclass calls no default factories for fields it is given.
    return title, Section("What to do this week", [], list(todo), [])


@lru_cache(maxsize=1024)
def _credential(
    library: Library, role_id: str, cert_id: str | None
) -> tuple[str, tuple[DomainSpec, ...]] | None:
    _, _, cert = find_cert(library, role_id, cert_id)
    return None if cert is None else (cert_title(cert), domains_of(cert))


@lru_cache(maxsize=4096)
def _local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(zone(tz)).date()


@lru_cache(maxsize=4096)
def _exam_line(left: int, exam: date) -> Section:
    return Section(paragraphs=[f"{plural(left, 'week')} left until your exam on {day_text(exam)}."])


@lru_cache(maxsize=1024)
def _plan_line(number: int, total: int) -> Section:
    return Section(
        paragraphs=[
            f"Week {number} of your {total}-week plan (no exam date set; "
            "add one with /goal → Change date or time)."
        ]
    )


# ---------------------------------------------------------------------------------------------
# The nudge's buttons

MAX_WEEKS = 1000
"""No plan is this long (exam dates are at most two years ahead); a larger week is forged."""


async def _own_sub(ctx: Context, sub_id: str | None) -> Subscription:
    number = parse_number(sub_id)
    if number is None:
        raise StaleAction("nudge")
    sub = await ctx.services.subscriptions.get(number)
    if sub is None or sub.user_id != ctx.user.id or sub.kind != "nudge":
        raise StaleAction("nudge")
    return sub


def _old_nudge(sub: Subscription, code: str | None, now: datetime) -> str | None:
    """Why a button of this occurrence can no longer act, or None when it is this week's."""
    if sub.status != "active":
        return f"These nudges are {sub.status}; send /goal to see them."
    current = current_occurrence(sub, now)
    if code != str(occurrence_code(current)):
        return (
            "That nudge is from an earlier week, so nothing changed. "
            f"Your next one: {next_nudge_text(sub)}."
        )
    return None


@router.action("nudge")
async def nudge_action(ctx: Context) -> Reply:
    assert ctx.action is not None
    verb = ctx.action.arg(0)
    services = ctx.services
    if verb == "done":
        view = await own_goal(ctx, ctx.action.arg(1))
        week = ctx.action.number(2, maximum=MAX_WEEKS)
        if week is None:
            raise StaleAction("nudge")
        if view.nudge is not None:
            sub = view.nudge
            today = ctx.now.astimezone(zone(sub.timezone)).date()
            if week > max(1, (today - plan_start(view.goal, sub)).days // 7 + 1):
                return Reply.text("That week hasn't started yet; mark it done when it has.")
        row, created = await services.goals.mark_done(view.goal.id or 0, week, ctx.now)
        if not created:
            return Reply.text(
                f"Week {week} was already marked done on {row.done_utc.day} "
                f"{row.done_utc:%B}; nothing changed."
            )
        done = await services.goals.weeks_done(view.goal.id or 0)
        return Reply.text(
            f"Week {week} marked done. Streak: {plural(streak(set(done), week), 'week')}. "
            "Well done!",
            title="Nice work",
        )
    sub = await _own_sub(ctx, ctx.action.arg(1))
    if verb == "stop":
        reply = Reply.text(
            "Stop your weekly study nudges and this goal? (To take a break instead, use Pause "
            "in /goal.)",
            title="Stop nudges?",
        )
        reply.buttons = [
            [
                Button("Yes, stop", action("goal", "stop", sub.goal_id or 0)),
                Button("No, keep them", action("goal", "show", sub.goal_id or 0)),
            ]
        ]
        return reply
    problem = _old_nudge(sub, ctx.action.arg(2), ctx.now)
    if problem is not None:
        return Reply.text(problem)
    if verb == "snooze":
        until = ctx.now + SNOOZE
        following = regular_next(sub, ctx.now)
        if until >= following:
            return Reply.text(
                "Your next weekly nudge comes before then "
                f"({describe_local(following, sub.timezone)}), so no snooze is needed."
            )
        await services.subscriptions.snooze(sub.id or 0, until)
        return Reply.text(
            f"Snoozed: I'll remind you again {describe_local(until, sub.timezone)}. "
            "Your weekly time stays the same."
        )
    if verb == "skip":
        sub = await services.subscriptions.skip_current(sub.id or 0, ctx.now) or sub
        return Reply.text(f"OK, skipping this week. Next nudge: {next_nudge_text(sub)}.")
    raise StaleAction("nudge")


# ---------------------------------------------------------------------------------------------
# Scheduled summaries (called from handlers.moderation)

SCHEDULE_HELP = (
    "Write: /summary every <weekday> <HH:MM> [time zone] [role] [to <channel>] — for example "
    "/summary every monday 09:00 Europe/Berlin ml engineer."
)


def parse_schedule(text: str, now: datetime) -> tuple[int, str, str | None, str, str | None]:
    """ "monday 09:00 Europe/Berlin ml engineer to @chan" → (weekday, time, zone, role, channel)."""
    words = text.split()
    channel = None
    lowered = [w.lower() for w in words]
    if "to" in lowered:
        at = lowered.index("to")
        channel = " ".join(words[at + 1 :]) or None
        words = words[:at]
    if len(words) < 2:
        raise InputError(SCHEDULE_HELP)
    weekday = parse_weekday(words[0])
    local_time = parse_clock(words[1])
    rest = words[2:]
    tz_name = None
    # The longest leading run of words that names a zone ("new york", "Europe/Berlin", "UTC").
    for size in (3, 2, 1):
        if len(rest) >= size:
            choice = resolve_timezone(" ".join(rest[:size]), now)
            if choice.zone is not None:
                tz_name, rest = choice.zone, rest[size:]
                break
    return weekday, local_time, tz_name, " ".join(rest), channel


async def schedule_summary(ctx: Context, text: str, group_role: str | None) -> Reply:
    try:
        weekday, local_time, tz_name, role_text, channel = parse_schedule(text, ctx.now)
    except InputError as exc:
        return Reply.text(str(exc))
    if role_text:
        role = ctx.services.index.resolve_role(role_text)
        if role is None:
            return Reply.text(f"I don't know a role called “{role_text[:60]}”. {SCHEDULE_HELP}")
    else:
        role = ctx.role(group_role)
    target = channel or ctx.inbound.chat_id
    if channel is not None:
        if not await ctx.platform.is_moderator(channel, ctx.inbound.user_id):
            return Reply.text("You need to be an administrator of that channel to schedule there.")
        missing = await ctx.platform.missing_permission(channel)
        if missing is not None:
            return Reply.text(f"I can't post in that channel: I need the “{missing}” permission.")
    tz_name = tz_name or ctx.user.timezone or "UTC"
    sub = await ctx.services.subscriptions.create_summary(
        platform=ctx.inbound.platform,
        chat_id=target,
        user_id=ctx.user.id or 0,
        role_id=role.id,
        weekday=weekday,
        local_time=local_time,
        timezone=tz_name,
        now=ctx.now,
    )
    where = "here" if channel is None else f"in {channel}"
    return Reply.text(
        f"Scheduled: the {role.title} summary {where}, "
        f"{schedule_text(weekday, local_time, tz_name, lower=True)}. "
        f"First post: {describe_local(sub.next_due_utc, tz_name)}. "
        "See them with /summary schedules; cancel with /summary cancel <number>.",
        title="Summary scheduled",
    )


async def list_schedules(ctx: Context, subs: list[Subscription]) -> Reply:
    """List ``subs``: the schedules handlers.moderation found the asker may see here."""
    if not subs:
        return Reply.text("No scheduled summaries for this chat. " + SCHEDULE_HELP)
    lines = []
    for number, sub in enumerate(subs, start=1):
        role = ctx.services.library.get(sub.role_id)
        where = "here" if sub.chat_id == ctx.inbound.chat_id else f"in {sub.chat_id}"
        status = (
            f"next {describe_local(sub.next_due_utc, sub.timezone)}"
            if sub.status == "active"
            else f"{sub.status}: {sub.paused_reason or 'no reason given'}"
        )
        lines.append(
            f"{number}. {role.title if role else sub.role_id} {where} — "
            f"{schedule_text(sub.weekday, sub.local_time, sub.timezone)}; {status}"
        )
    reply = Reply(title="Scheduled summaries")
    reply.add(Section(bullets=lines, paragraphs=["Cancel one with /summary cancel <number>."]))
    return reply


async def cancel_schedule(ctx: Context, number_text: str, subs: list[Subscription]) -> Reply:
    """Cancel one of ``subs`` (numbered as /summary schedules lists them)."""
    number = parse_number(number_text, maximum=len(subs)) if subs else None
    if number is None:
        count = len(subs)
        return Reply.text(
            f"Give the number from /summary schedules (1 to {count})."
            if count
            else "There are no scheduled summaries here to cancel."
        )
    sub = subs[number - 1]
    await ctx.services.subscriptions.stop(sub.id or 0, "cancelled by a moderator")
    return Reply.text(f"Cancelled scheduled summary {number}.")
