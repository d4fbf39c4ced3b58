"""The goal flow through the router, as a person would use it, including bad input and restarts."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import CareerBot
from bot.clock import ManualClock
from storage.models import Goal, Subscription, WeekDone
from tests.conftest import Chat, RecordingPlatform, settings_for, text_of


async def set_goal(
    chat: Chat,
    cert: str = "MLA-C01",
    exam: str = "2027-03-15",
    when: str = "Tuesday 19:30",
    tz: str = "Berlin",
) -> str:
    await chat.say("/goal")
    reply = await chat.say(cert)
    assert "2/4" in text_of(reply), text_of(reply)
    if exam:
        await chat.say(exam)
    else:
        await chat.press("No date yet")
    assert "3/4" in text_of(chat.last)
    await chat.say(when)
    assert "4/4" in text_of(chat.last), text_of(chat.last)
    await chat.say(tz)
    assert "confirm" in text_of(chat.last).lower(), text_of(chat.last)
    confirmation = text_of(chat.last)
    done = await chat.press("Confirm")
    assert "Goal set" in text_of(done), text_of(done)
    return confirmation


async def goals_of(bot: CareerBot) -> list[Goal]:
    async with bot.db.session() as session:
        return list((await session.exec(select(Goal))).all())


async def subs_of(bot: CareerBot) -> list[Subscription]:
    async with bot.db.session() as session:
        return list((await session.exec(select(Subscription))).all())


async def test_full_flow_confirms_first_nudge_in_local_time(chat: Chat, bot: CareerBot) -> None:
    # The clock stands at Tuesday 24 Nov 2026 09:00 UTC = 10:00 in Berlin.
    confirmation = await set_goal(chat)
    assert "AWS" in confirmation or "MLA-C01" in confirmation
    assert "Tuesday 24 November 2026, 19:30 (CET, UTC+01:00)" in confirmation
    assert "Every Tuesday at 19:30 (Europe/Berlin)" in confirmation
    assert "Review and practice exam" in confirmation
    [goal] = await goals_of(bot)
    [sub] = await subs_of(bot)
    assert goal.cert_id == "aws-mla" and str(goal.exam_date) == "2027-03-15"
    assert (sub.kind, sub.weekday, sub.local_time, sub.timezone) == (
        "nudge",
        1,
        "19:30",
        "Europe/Berlin",
    )
    assert sub.next_due_utc.isoformat() == "2026-11-24T18:30:00+00:00"
    user = await bot.services.users.get("test", "u1")
    assert user is not None and user.timezone == "Europe/Berlin"


async def test_flow_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    platform = RecordingPlatform()
    first = CareerBot(settings_for(tmp_path), clock=clock)
    await first.start()
    chat = Chat(first, platform)
    await chat.say("/goal")
    await chat.say("AI-103")
    await chat.say("2027-01-31")
    await first.stop()

    second = CareerBot(settings_for(tmp_path), clock=clock)
    await second.start()
    chat = Chat(second, platform)
    reply = await chat.say("Saturday 9am")
    assert "4/4" in text_of(reply)
    await chat.say("Asia/Kolkata")
    assert "Saturday 28 November 2026, 09:00 (IST, UTC+05:30)" in text_of(chat.last)
    await chat.press("Confirm")
    [goal] = await goals_of(second)
    assert goal.cert_id == "ai-103" and str(goal.exam_date) == "2027-01-31"
    await second.stop()


async def test_retired_exam_points_to_its_successor(chat: Chat, bot: CareerBot) -> None:
    await chat.say("/goal")
    reply = await chat.press("AI-900")
    text = text_of(reply)
    assert "retired on 30 June 2026" in text and "AI-901" in text and "since" not in text
    reply = await chat.press("Choose AI-901 instead")
    assert "2/4" in text_of(reply) and "AI-901" in text_of(reply)
    assert await goals_of(bot) == []


async def test_closed_exam_without_successor(chat: Chat) -> None:
    await chat.say("/goal")
    reply = await chat.press("3.")
    assert "closed on 1 May 2024" in text_of(reply) and "no direct successor" in text_of(reply)


async def test_credential_not_on_roadmap(chat: Chat, bot: CareerBot) -> None:
    await chat.say("/goal")
    reply = await chat.say("XYZ-999")
    assert "not on the Machine Learning Engineer roadmap" in text_of(reply)
    assert "1/4" in text_of(reply)
    assert await goals_of(bot) == []


async def test_bad_dates_times_and_zones_each_get_a_clear_answer(
    chat: Chat, bot: CareerBot
) -> None:
    await chat.say("/goal")
    await chat.say("MLA-C01")
    cases = {
        "2027-02-31": "February 2027 has 28 days",
        "31 February 2027": "February 2027 has 28 days",
        "2026-01-10": "not in the future",
        "2026-11-24": "not in the future",
        "2030-01-01": "more than two years away",
        "next week": "Which day next week",
        "whenever": "couldn't read that date",
        "2027-13-01": "no month 13",
    }
    for text, expected in cases.items():
        reply = await chat.say(text)
        assert expected in text_of(reply), (text, text_of(reply))
        assert "2/4" in text_of(reply)
    await chat.say("15 March 2027")
    for text, expected in {
        "Tuesday 25:00": "hours go from 00 to 23",
        "25:00": "25:00 is not a time of day: hours go from 00 to 23. Write a day and a time, "
        "like “Tuesday 19:30”.",
        "19:30": "On which day of the week, at 19:30?",
        "Tuesday 19:75": "minutes go from 00 to 59",
        "Funday 19:00": "not a day of the week",
        "13pm tuesday": "hour goes from 1 to 12",
    }.items():
        reply = await chat.say(text)
        assert expected in text_of(reply), (text, text_of(reply))
        assert "3/4" in text_of(reply)
        if text[0].isdigit():
            assert "not a day of the week" not in text_of(reply), text_of(reply)
    await chat.say("Tue 7:30pm")
    reply = await chat.say("Mars/Olympus_Mons")
    assert "I don't know the time zone" in text_of(reply)
    reply = await chat.say("UTC+5:30")
    assert "Asia/Kolkata" in text_of(reply) and "which is yours" in text_of(reply)
    reply = await chat.press("Use Asia/Kolkata")
    assert "Tuesday 24 November 2026, 19:30 (IST, UTC+05:30)" in text_of(reply)
    assert await goals_of(bot) == [], "nothing is stored before Confirm"
    await chat.press("Confirm")
    [sub] = await subs_of(bot)
    assert (sub.local_time, sub.timezone) == ("19:30", "Asia/Kolkata")


async def test_second_goal_while_one_is_active(chat: Chat, bot: CareerBot) -> None:
    await set_goal(chat)
    reply = await chat.say("/goal")
    assert "Your goal" in text_of(reply)
    reply = await chat.say("/certs")
    await chat.press("6.")
    reply = await chat.press("Set as my goal")
    assert "already have a goal" in text_of(reply)
    assert len(await goals_of(bot)) == 1


async def test_set_as_my_goal_from_certs_starts_at_the_date(chat: Chat) -> None:
    await chat.say("/certs")
    reply = await chat.press("6.")
    assert "Set as my goal" in text_of(reply)
    reply = await chat.press("Set as my goal")
    assert "2/4" in text_of(reply)
    await chat.say("/certs")
    reply = await chat.press("2.")
    assert "Set as my goal" not in text_of(reply), "a retired exam offers no goal button"


async def test_pause_resume_stop_and_nudges_list(chat: Chat, bot: CareerBot) -> None:
    await set_goal(chat, exam="")
    reply = await chat.say("/nudges")
    assert "Study nudge: every Tuesday at 19:30 (Europe/Berlin) — next Tuesday 24" in text_of(reply)
    reply = await chat.say("/goal pause")
    assert "paused" in text_of(reply).lower()
    [sub] = await subs_of(bot)
    assert sub.status == "paused"
    bot.services.clock.advance(timedelta(days=10))  # type: ignore[attr-defined]
    await chat.press("Resume")
    [sub] = await subs_of(bot)
    assert sub.status == "active"
    assert sub.next_due_utc.isoformat() == "2026-12-08T18:30:00+00:00", "from now, no catch-up"
    await chat.say("/goal stop")
    await chat.press("Yes, stop")
    [sub] = await subs_of(bot)
    [goal] = await goals_of(bot)
    assert (sub.status, goal.status) == ("stopped", "stopped")
    reply = await chat.say("/nudges")
    assert "no weekly nudges" in text_of(reply)
    reply = await chat.say("/goal")
    assert "1/4" in text_of(reply), "a stopped goal makes room for a new one"


async def test_done_twice_changes_nothing_and_progress_shows_streak(
    chat: Chat, bot: CareerBot, clock: ManualClock
) -> None:
    await set_goal(chat)
    reply = await chat.say("/goal")
    await chat.press("Done this week")
    assert "Week 1 marked done" in text_of(chat.last)
    await chat.say("/goal")
    reply = await chat.press("Done this week")
    assert "already marked done" in text_of(reply)
    clock.advance(timedelta(days=7))
    await chat.say("/goal")
    await chat.press("Done this week")
    assert "Streak: 2" in text_of(chat.last)
    reply = await chat.say("/progress")
    text = text_of(reply)
    assert "2 of 2 so far" in text and "Current streak: 2 weeks" in text, text
    assert "Week 2: ML model development (week 1 of 4 on this area) — done ✓" in text, text
    assert "• ·" not in text
    assert "week(s)" not in text and "(1/4)" not in text
    async with bot.db.session() as session:
        assert len((await session.exec(select(WeekDone))).all()) == 2


async def test_future_week_cannot_be_marked_done(chat: Chat) -> None:
    await set_goal(chat)
    [goal_id] = [g.id for g in await goals_of(chat.bot)]
    reply = await chat.press(f"v1:nudge:done:{goal_id}:5")
    assert "hasn't started yet" in text_of(reply)


async def test_someone_elses_goal_button_is_expired(chat: Chat, bot: CareerBot) -> None:
    await set_goal(chat)
    [goal] = await goals_of(bot)
    other = Chat(bot, chat.platform, user_id="u2")
    reply = await other.press(f"v1:goal:stop:{goal.id}")
    assert "expired" in text_of(reply)
    assert (await goals_of(bot))[0].status == "active"


async def test_goal_in_a_group_is_sent_to_private(bot: CareerBot, platform) -> None:  # type: ignore[no-untyped-def]
    member = Chat(bot, platform, user_id="m", chat_id="g1", chat_kind="group")
    reply = await member.say("/goal")
    assert "private chat" in text_of(reply)


async def test_change_date_and_time(chat: Chat, bot: CareerBot) -> None:
    await set_goal(chat)
    await chat.say("/goal")
    await chat.press("Change date or time")
    await chat.say("2027-05-01")
    await chat.say("Sunday 08:00")
    await chat.say("New York")
    reply = await chat.press("Confirm")
    assert "Updated" in text_of(reply)
    [goal] = await goals_of(bot)
    [sub] = await subs_of(bot)
    assert str(goal.exam_date) == "2027-05-01"
    assert (sub.weekday, sub.local_time, sub.timezone) == (6, "08:00", "America/New_York")
    assert len(await goals_of(bot)) == 1


async def test_plan_ics_document(chat: Chat) -> None:
    await set_goal(chat)
    reply = await chat.say("/plan_ics")
    assert reply is not None and reply.document is not None
    assert reply.document.filename.endswith(".ics")
    body = reply.document.data.decode()
    assert "BEGIN:VTIMEZONE" in body and "TZID:Europe/Berlin" in body
    assert "DTSTART;TZID=Europe/Berlin:20261124T193000" in body
    assert "DTSTART;VALUE=DATE:20270315" in body


async def test_cancel_leaves_nothing(chat: Chat, bot: CareerBot) -> None:
    await chat.say("/goal")
    await chat.say("MLA-C01")
    reply = await chat.press("Cancel")
    assert "nothing was saved" in text_of(reply)
    reply = await chat.press("No date yet")
    assert "expired" in text_of(reply)
    assert await goals_of(bot) == []


def _ics_sessions(body: str) -> list[str]:
    """The SUMMARY of every weekly session in a calendar file, unescaped (the exam left out)."""
    lines = body.replace("\r\n ", "").split("\r\n")
    summaries = [x.removeprefix("SUMMARY:") for x in lines if x.startswith("SUMMARY:")]
    unescaped = [x.replace("\\,", ",").replace("\\;", ";") for x in summaries]
    return [x for x in unescaped if not x.startswith("Exam:")]


@pytest.mark.parametrize(
    ("exam", "when"),
    [
        ("2027-03-13", "Sunday 10:00"),  # was: a 16-week card, 15 sessions in the file
        ("2027-03-16", "Tuesday 19:30"),
        ("2027-03-16", "Tuesday 08:00"),  # today's 08:00 has passed: the first is next week
        ("2026-12-19", "Saturday 09:00"),  # a short plan: one review week
        ("", "Friday 18:00"),
    ],
)
async def test_card_and_calendar_agree(chat: Chat, exam: str, when: str) -> None:
    card = await set_goal(chat, exam=exam, when=when)
    heading = re.search(r"Your plan: (\d+) weekly study sessions?", card)
    assert heading, card
    sessions = int(heading[1])
    review = re.search(r"Review and practice exam: the last (?:(\d+) weeks|week)", card)
    assert review, card
    review_weeks = int(review[1] or 1)
    topics = {m[1]: int(m[2]) for m in re.finditer(r"^• (.+): (\d+) weeks?$", card, re.MULTILINE)}
    assert sum(topics.values()) + review_weeks == sessions, card
    assert "week(s)" not in card and "the last 1 week" not in card

    reply = await chat.say("/plan_ics")
    assert reply is not None and reply.document is not None
    events = _ics_sessions(reply.document.data.decode())
    assert len(events) == sessions, (card, events)
    assert sum("review" in x.lower() for x in events) == review_weeks, events
    assert all("review" in x.lower() for x in events[-review_weeks:]), events
    for topic, count in topics.items():
        assert sum(f": {topic}" in x for x in events) == count, (topic, events)


async def test_goal_with_a_credential_named_starts_at_the_date(chat: Chat, bot: CareerBot) -> None:
    reply = await chat.say("/goal MLA-C01")
    assert "2/4" in text_of(reply) and "MLA-C01" in text_of(reply)
    await chat.say("/cancel")
    reply = await chat.say("/goal aws")
    assert "fits more than one credential" in text_of(reply)
    assert len([b for b in reply.all_buttons() if "Cancel" not in b.label]) == 2
    await chat.say("/cancel")
    assert "not on the Machine Learning Engineer roadmap" in text_of(await chat.say("/goal blorp"))
    assert "cancelled" in text_of(await chat.say("/goal cancel")), "not read as a credential"
    await chat.say("/roles llm engineer")  # a role with no roadmap: the code is found elsewhere
    assert "2/4" in text_of(await chat.say("/goal MLA-C01"))
    assert await goals_of(bot) == []


async def test_roadmap_step_without_a_single_exam(chat: Chat, bot: CareerBot) -> None:
    reply = await chat.say("/goal")
    [label] = [b.label for b in reply.all_buttons() if b.label.startswith("1.")]  # type: ignore[union-attr]
    assert label.endswith("(no single exam)"), label
    assert "(retired)" in text_of(reply) and "(active)" not in text_of(reply)
    reply = await chat.press("1.")
    text = text_of(reply)
    assert "names no single exam" in text and "no exam areas to plan your weeks around" in text
    assert "Pick a named credential" in text
    assert "since" not in text and "None" not in text and "can't book" not in text
    named = [b.label for b in reply.all_buttons() if b.label[0].isdigit() and "(" not in b.label]  # type: ignore[union-attr]
    reply = await chat.press(named[0])
    assert "2/4" in text_of(reply), "its buttons lead on to a named credential"
    assert await goals_of(bot) == []


async def test_dont_send_next_nudge_shows_the_effective_next_one(
    chat: Chat, bot: CareerBot
) -> None:
    await set_goal(chat)  # nudges on Tuesdays at 19:30 in Berlin, the first on 24 November
    reply = await chat.say("/goal")
    labels = [b.label for b in reply.all_buttons()]  # type: ignore[union-attr]
    assert "Skip next nudge" not in labels and "Don't send next nudge" in labels
    reply = await chat.press("Don't send next nudge")
    text = text_of(reply)
    assert "I won't send the weekly nudge of Tuesday 24 November 2026, 19:30" in text, text
    assert "Next nudge: Tuesday 1 December 2026, 19:30 (CET, UTC+01:00)" in text, text
    reply = await chat.say("/goal")
    text = text_of(reply)
    assert "Next nudge: Tuesday 1 December 2026, 19:30" in text, text
    assert "the one on Tuesday 24 November is skipped" in text
    assert "Send next nudge after all" in text
    reply = await chat.say("/nudges")
    text = text_of(reply)
    assert "next Tuesday 1 December 2026, 19:30" in text, text
    assert "the one on Tuesday 24 November is skipped" in text
    await chat.say("/goal")
    reply = await chat.press("Send next nudge after all")
    assert "Tuesday 24 November 2026, 19:30" in text_of(reply)
    reply = await chat.say("/nudges")
    assert "next Tuesday 24 November 2026, 19:30" in text_of(reply)
    assert "skipped" not in text_of(reply)
    [sub] = await subs_of(bot)
    assert sub.skip_next is False


async def test_wording_of_dates_zones_and_plurals(chat: Chat, bot: CareerBot) -> None:
    await chat.say("/goal")
    await chat.say("MLA-C01")
    reply = await chat.say("2030-05-01")
    assert "1 May 2030 is more than two years away" in text_of(reply), text_of(reply)
    await chat.press("No date yet")
    await chat.say("Friday 18:00")
    reply = await chat.say("UTC")
    text = text_of(reply)
    assert "Friday 27 November 2026, 18:00 (UTC)" in text and "UTC, UTC+00:00" not in text, text
    reply = await chat.press("Confirm")
    text = text_of(reply)
    assert "until your exam" not in text and "add your exam date" in text, text
    reply = await chat.say("/goal")
    text = text_of(reply)
    assert "Progress: 0 weeks done · streak 0 weeks" in text and "week(s)" not in text, text
    reply = await chat.say("/plan_ics")
    text = text_of(reply)
    assert "every Friday at 18:00 (UTC)." in text and "((" not in text.replace(")(", ""), text
    assert "18:00 (UTC))" not in text
