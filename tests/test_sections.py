"""Every section of a role pack has a way in, /help lists what the asker may use there, and no
page is a dead end."""

from __future__ import annotations

import pytest

from bot.app import CareerBot
from tests.conftest import Chat, RecordingPlatform, text_of


@pytest.mark.parametrize(
    ("command", "button", "expected"),
    [
        ("/salary", "Salary", "$150,000"),
        ("/lifecycle", "Lifecycle of the work", "Problem framing"),
        ("/hiring", "Hiring guide", "Red flag"),
    ],
)
async def test_hidden_sections_have_a_command_and_a_menu_button(
    chat: Chat, command: str, button: str, expected: str
) -> None:
    assert expected in text_of(await chat.say(command))
    await chat.say("/start")
    assert expected in text_of(await chat.press(button))


async def test_a_role_without_the_section_says_so(chat: Chat) -> None:
    assert "I have no hiring guide for the LLM Engineer role" in text_of(
        await chat.say("/hiring llm engineer")
    )


async def test_start_menu_reaches_study_goals_and_my_data(chat: Chat) -> None:
    await chat.say("/start")
    assert "1/4" in text_of(await chat.press("My study goal"))
    await chat.say("/cancel")
    await chat.say("/start")
    assert "What I store about you" in text_of(await chat.press("My data"))


async def test_help_lists_what_the_asker_may_use_here(bot: CareerBot) -> None:
    private = text_of(await Chat(bot, RecordingPlatform()).say("/help"))
    for command in ("/salary", "/lifecycle", "/hiring", "/goal", "/cancel", "/mydata"):
        assert command in private
    assert "/summary" not in private
    platform = RecordingPlatform(moderators={"mod"})
    member = Chat(bot, platform, user_id="member", chat_id="g1", chat_kind="group")
    moderator = Chat(bot, platform, user_id="mod", chat_id="g1", chat_kind="group")
    seen_by_member = text_of(await member.say("/help"))
    assert "/summary" not in seen_by_member and "/goal " not in seen_by_member
    assert "/risk" in seen_by_member
    assert "/summary" in text_of(await moderator.say("/help"))


async def test_summary_lists_exactly_what_can_be_booked_today(chat: Chat) -> None:
    text = text_of(await chat.say("/summary"))
    section = text.split("Certifications you can book today", 1)[1].split("\n\n", 1)[0]
    for bookable in ("AI-901", "AI-103", "MLA-C01", "Databricks", "Google Cloud Professional"):
        assert bookable in section
    for gone in ("AI-900", "AI-102", "MLS-C01", "TensorFlow", "literacy"):
        assert gone not in section


async def test_a_short_roles_about_page_does_not_offer_itself(chat: Chat) -> None:
    await chat.say("/risk llm engineer")
    card = await chat.press("About this role")
    assert card is not None
    assert not any(b.label == "About this role" for b in card.all_buttons())
    assert "Machine Learning Engineer:" in text_of(card)  # the comparison names the other role


async def test_roles_list_leads_back_to_the_menu(chat: Chat) -> None:
    await chat.say("/roles")
    assert "What would you like to look at?" in text_of(await chat.press("Main menu"))


async def test_goal_from_a_role_without_a_roadmap_offers_one_that_has(chat: Chat) -> None:
    await chat.say("/roles llm engineer")
    reply = text_of(await chat.say("/goal"))
    assert "no certification roadmap for LLM Engineer" in reply
    assert "1/4" in text_of(await chat.press("Goal from the Machine Learning Engineer roadmap"))
