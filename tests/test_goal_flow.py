"""The goal set-up as a newcomer meets it: half answers, interruptions, odd time zones and
credential names, an exam before the first session, and what stays after a goal ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import CareerBot
from domain.zones import resolve_timezone, slug_to_zone
from tests.conftest import Chat, text_of
from tests.test_goals import goals_of, set_goal

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


async def at_time_step(chat: Chat) -> None:
    await chat.say("/goal")
    await chat.say("MLA-C01")
    await chat.press("No date yet")
    assert "3/4" in text_of(chat.last)


async def test_weekday_then_time_keeps_the_weekday(chat: Chat) -> None:
    await at_time_step(chat)
    asked = text_of(await chat.say("tuesday"))
    assert "At what time on Tuesday?" in asked
    reply = text_of(await chat.say("19:30"))
    assert "4/4" in reply, reply


async def test_time_then_weekday_keeps_the_time(chat: Chat) -> None:
    await at_time_step(chat)
    assert "at 19:30?" in text_of(await chat.say("19:30"))
    assert "4/4" in text_of(await chat.say("Thursday"))
    confirmation = text_of(await chat.say("Berlin"))
    assert "Every Thursday at 19:30" in confirmation


async def test_pausing_shows_the_weeks_already_done(chat: Chat, bot: CareerBot) -> None:
    await set_goal(chat)
    bot.services.clock.advance(timedelta(hours=12))  # type: ignore[attr-defined]
    await chat.say("/goal")
    await chat.press("Done this week")
    paused = text_of(await chat.say("/goal pause"))
    assert "1 week done" in paused and "streak 1 week" in paused, paused
    assert "NUDGES PAUSED" not in paused and "Nudges paused." in paused


async def test_exam_before_the_first_session_is_refused_with_the_reason(
    chat: Chat, bot: CareerBot
) -> None:
    # Tuesday 24 November 2026, 09:00 UTC; the exam is on Thursday 26 November.
    await chat.say("/goal")
    await chat.say("MLA-C01")
    await chat.say("2026-11-26")
    await chat.say("Friday 19:00")
    refused = text_of(await chat.say("Berlin"))
    assert "comes before your first weekly session" in refused
    assert "Confirm" not in refused and "3/4" in refused
    assert await goals_of(bot) == []
    await chat.say("Wednesday 19:00")
    confirmation = text_of(await chat.say("Berlin"))
    assert "Please confirm" in confirmation and "1 weekly study session" in confirmation
    changed = text_of(await chat.press("Start over"))
    assert "1/4" in changed


async def test_yes_typed_at_the_summary_confirms_the_goal(chat: Chat, bot: CareerBot) -> None:
    for typed in ("/goal", "MLA-C01", "in 8 weeks"):
        await chat.say(typed)
    assert "At what time on Saturday evening?" in text_of(await chat.say("saturday evening"))
    await chat.say("7")
    assert "Every Saturday at 19:00" in text_of(await chat.say("Berlin"))
    assert "Press Confirm above" in text_of(await chat.say("maybe later"))
    assert "Not saved" in text_of(await chat.say("no, that's not right"))
    assert await goals_of(bot) == []
    await chat.say("Yes, confirm!")
    assert len(await goals_of(bot)) == 1


async def test_change_the_exam_date_from_the_refusal(chat: Chat) -> None:
    await chat.say("/goal")
    await chat.say("MLA-C01")
    await chat.say("2026-11-26")
    await chat.say("Friday 19:00")
    await chat.say("Berlin")
    assert "2/4" in text_of(await chat.press("Change the exam date"))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("EST", "America/New_York"),
        ("PST", "America/Los_Angeles"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("New York, NY, USA", "America/New_York"),
        ("Zürich", "Europe/Zurich"),
        ("port-au-prince", "America/Port-au-Prince"),
    ],
)
def test_abbreviations_accents_and_city_country_resolve(typed: str, expected: str) -> None:
    assert resolve_timezone(typed, NOW).zone == expected


def test_ambiguous_abbreviations_ask_for_the_place() -> None:
    choice = resolve_timezone("IST", NOW)
    assert choice.zone is None and "Asia/Kolkata" in choice.suggestions
    assert "Europe/Dublin" in choice.suggestions


def test_offsets_offer_places_first_and_the_fixed_zone_last_explained() -> None:
    choice = resolve_timezone("UTC+1", NOW)
    assert choice.zone is None
    assert choice.suggestions[0] == "Europe/Berlin" and choice.suggestions[-1] == "Etc/GMT-1"
    assert "no daylight saving" in choice.message


async def test_the_fixed_zone_button_reads_the_right_way_round(chat: Chat) -> None:
    await at_time_step(chat)
    await chat.say("Tuesday 19:30")
    reply = await chat.say("UTC+1")
    labels = [b.label for b in reply.all_buttons()] if reply else []
    assert "Use fixed UTC+1, no daylight saving" in labels
    assert not any("Etc/GMT-1" in label for label in labels)
    confirmation = text_of(await chat.press("Use fixed UTC+1"))
    assert "Every Tuesday at 19:30 (fixed UTC+1)" in confirmation
    assert "Etc/GMT" not in confirmation


@pytest.mark.parametrize("slug", ["America", "Europe", "Etc", "posix", "EST", "..", "America."])
def test_a_folder_or_legacy_name_is_no_zone(slug: str) -> None:
    assert slug_to_zone(slug) is None


async def test_a_zone_button_naming_a_folder_says_the_menu_expired(chat: Chat) -> None:
    await at_time_step(chat)
    await chat.say("Tuesday 19:30")
    reply = text_of(await chat.press("v1:goal:tz:America"))
    assert "This menu has expired" in reply and "error id" not in reply


@pytest.mark.parametrize("typed", ["ai102", "AI 102", "ai-102"])
async def test_codes_match_without_punctuation(chat: Chat, typed: str) -> None:
    await chat.say("/goal")
    reply = text_of(await chat.say(typed))
    assert "AI-102" in reply and "retired on 30 June 2026" in reply and "AI-103" in reply


async def test_a_provider_name_offers_its_candidates(chat: Chat) -> None:
    await chat.say("/goal")
    reply = await chat.say("aws")
    text = text_of(reply)
    assert "fits more than one credential" in text
    labels = [b.label for b in reply.all_buttons()] if reply else []
    assert labels[0].startswith("MLA-C01") and any("MLS-C01" in label for label in labels)
    assert "2/4" in text_of(await chat.press("MLA-C01"))


async def test_gcp_names_the_google_cloud_exam(chat: Chat) -> None:
    await chat.say("/goal")
    assert "2/4: Google Cloud Professional Machine Learning Engineer" in text_of(
        await chat.say("gcp")
    )


async def test_ml_is_short_for_machine_learning_in_a_credential_name(chat: Chat) -> None:
    await chat.say("/goal")
    assert "2/4: AWS Certified Machine Learning Engineer" in text_of(
        await chat.say("aws ml engineer")
    )


async def test_a_command_pauses_the_set_up_and_goal_resumes_it(chat: Chat, bot: CareerBot) -> None:
    await chat.say("/goal")
    await chat.say("MLA-C01")
    interrupted = text_of(await chat.say("/risk"))
    assert "Goal set-up paused" in interrupted and "46/100" in interrupted
    # Free text now goes to questions, not to the paused step.
    assert "2/4" not in text_of(await chat.say("will ai replace ml engineers?"))
    resumed = text_of(await chat.say("/goal"))
    assert "Picking up where you left off" in resumed and "2/4" in resumed
    assert "3/4" in text_of(await chat.say("15 March 2027"))


async def test_cancel_ends_the_set_up_explicitly(chat: Chat, bot: CareerBot) -> None:
    assert "nothing to cancel" in text_of(await chat.say("/cancel"))
    await chat.say("/goal")
    await chat.say("MLA-C01")
    cancelled = text_of(await chat.say("/cancel"))
    assert "Goal set-up cancelled" in cancelled and "paused" not in cancelled
    assert "1/4" in text_of(await chat.say("/goal"))
    assert await goals_of(bot) == []


async def test_progress_keeps_the_history_after_a_goal_stops(chat: Chat, bot: CareerBot) -> None:
    await set_goal(chat)
    bot.services.clock.advance(timedelta(hours=12))  # type: ignore[attr-defined]
    await chat.say("/goal")
    await chat.press("Done this week")
    await chat.say("/goal stop")
    await chat.press("Yes, stop")
    progress = text_of(await chat.say("/progress"))
    assert "no study goal yet" not in progress
    assert "stopped" in progress and "Weeks done: 1" in progress
    assert "Done this week" not in progress
