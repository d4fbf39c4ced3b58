"""Every command and button of the shared handlers, through the router, as a person uses them."""

from __future__ import annotations

import json

import pytest

from bot.actions import action
from bot.messages import short_label
from tests.conftest import Chat, text_of


async def test_start_menu_offers_every_topic(chat: Chat) -> None:
    reply = await chat.say("/start")
    labels = [b.label for b in reply.all_buttons()]
    for expected in (
        "AI automation risk",
        "Tasks at risk",
        "Protection plan",
        "FAQ",
        "Certifications",
        "A day in the life",
        "Choose another role",
    ):
        assert expected in labels


async def test_help_lists_the_commands(chat: Chat) -> None:
    text = text_of(await chat.say("/help"))
    for command in (
        "/risk",
        "/tasks",
        "/plan",
        "/faq",
        "/certs",
        "/day",
        "/about",
        "/mydata",
        "/forget",
        "/roles",
    ):
        assert command in text


async def test_risk_shows_score_factors_and_method(chat: Chat) -> None:
    text = text_of(await chat.say("/risk"))
    assert "46/100" in text and "medium" in text
    assert "Repetitiveness: 3/10" in text and "Human judgement: 8/10" in text
    assert "estimate" in text
    method = text_of(await chat.press("How is this computed"))
    assert "0.35 × 3 = 1.05" in method
    assert "(11 − human judgement)" in method
    assert "Frey" in method or "Eloundou" in method


async def test_risk_button_edits_the_menu_in_place(chat: Chat) -> None:
    await chat.say("/start")
    reply = await chat.press("AI automation risk")
    assert reply is not None and reply.edit
    assert "46/100" in text_of(reply)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/tasks", "hyperparameter"),
        ("/plan", "AI tools to master: our own picks"),
        ("/certs", "Google Cloud Professional Machine Learning Engineer"),
        ("/day", "8:30"),
        ("/about", "last reviewed"),
        ("/faq", "Pick a question"),
        ("/roles", "Roles I know"),
    ],
)
async def test_each_topic_command_answers(chat: Chat, command: str, expected: str) -> None:
    assert expected in text_of(await chat.say(command))


async def test_commands_accept_a_role_argument_with_aliases_and_typos(chat: Chat) -> None:
    for name in ("mle", "ml engineer", "machine learning eng", "machin learning engineer"):
        text = text_of(await chat.say(f"/risk {name}"))
        assert "AI automation risk score: Machine Learning Engineer" in text, name


async def test_unknown_role_suggests_close_ones(chat: Chat) -> None:
    reply = await chat.say("/risk llm enginer")
    assert "LLM Engineer" in text_of(reply)
    reply = await chat.say("/risk astronaut")
    assert "don't know a role or occupation called “astronaut”" in text_of(reply)


async def test_adjacent_role_says_plainly_what_it_has_no_data_for(chat: Chat) -> None:
    text = text_of(await chat.say("/risk llm engineer"))
    assert "I have no AI automation risk score for the LLM Engineer role yet" in text
    card = text_of(await chat.press("About this role"))
    assert "How it compares" in card and "No data yet for this role" in card


async def test_a_role_without_a_score_offers_the_nearest_occupations_figures(chat: Chat) -> None:
    text = text_of(await chat.say("/risk ai data engineer"))
    assert "no AI automation risk score for the AI Data Engineer role" in text
    assert "Database Architects (SOC 15-1243) and Data Scientists (SOC 15-2051)" in text
    card = text_of(await chat.press("Database Architects"))
    assert "AI exposure: Database Architects (SOC 15-1243)" in card


async def test_every_short_pack_names_its_nearest_occupations(bot) -> None:
    """A pack without a score must not be a dead end: each has occupations to point to."""
    filed = bot.services.occupations.aliases.filed_under
    for role in bot.services.library.packs:
        if role.risk is None:
            assert filed.get(role.id), role.id


async def test_choosing_a_role_is_remembered(chat: Chat, bot) -> None:
    await chat.say("/roles")
    await chat.press("AI Engineer")
    user = await bot.services.users.get("test", "u1")
    assert user.role_id == "ai-eng"
    assert "AI Engineer" in text_of(await chat.say("/start"))


async def test_faq_buttons_answer_each_question(chat: Chat, bot) -> None:
    reply = await chat.say("/faq")
    faq_buttons = [b for b in reply.all_buttons() if b.action.startswith("v1:faq:")]
    assert len(faq_buttons) >= 10
    for button in faq_buttons:
        answer = await chat.press(button.action)
        assert button.label == short_label(answer.title)


async def test_certs_mark_retired_exams_and_point_to_successors(chat: Chat) -> None:
    text = text_of(await chat.say("/certs"))
    assert "Retired on 31 March 2026" in text and "MLA-C01" in text
    assert "Closed on 1 May 2024; no direct successor" in text
    detail = text_of(await chat.press("7."))
    assert "You can no longer take this exam" in detail
    assert "Aim for AWS Certified Machine Learning Engineer - Associate (MLA-C01)" in detail
    successor = text_of(await chat.press("Successor"))
    assert "Data preparation" in successor


async def test_certs_with_a_credential_opens_its_card(chat: Chat) -> None:
    # "/certs ai-102" once answered "I don't know a role called ai-102".
    for typed in ("/certs ai-102", "/certs AI102", "/certs mla-c01"):
        reply = await chat.say(typed)
        code = typed.split()[1].upper().replace("AI102", "AI-102")
        assert reply.title is not None and code in reply.title.upper(), typed
    choices = await chat.say("/certs aws")
    labels = [b.label for b in choices.all_buttons()]
    assert "fits 2 credentials" in text_of(choices) and len(labels) == 2, labels
    assert "role called" in text_of(await chat.say("/certs blorp"))
    assert "no certification roadmap for the LLM Engineer" in text_of(await chat.say("/certs llm"))
    # With a role chosen whose pack has no roadmap, the exam is found in the pack that has it.
    await chat.say("/roles llm engineer")
    reply = await chat.say("/certs AI-102")
    assert reply.title is not None and "AI-102" in reply.title, text_of(reply)


async def test_free_text_question_is_answered_from_the_faqs(chat: Chat) -> None:
    text = text_of(await chat.say("will AI replace ML engineers?"))
    assert "IS AI GOING TO REPLACE" in text.upper()


async def test_free_text_about_a_section_opens_it(chat: Chat) -> None:
    text = text_of(await chat.say("which certification should I take first"))
    assert "certification" in text.lower()


async def test_a_close_call_offers_the_closest_cards_as_buttons(chat: Chat) -> None:
    reply = await chat.say("MLS-C01 vs MLA-C01")
    assert "Did you mean" in text_of(reply)
    labels = [b.label for b in reply.all_buttons()]
    assert 2 <= len(labels) <= 3 and any("MLA-C01" in label for label in labels)
    card = text_of(await chat.press("MLS-C01"))
    assert "You can no longer take this exam" in card


@pytest.mark.parametrize("text", ["qwzx vbnm", "how tall is Everest", "São Paulo", "test"])
async def test_off_topic_gets_what_i_can_help_with_not_a_guess(chat: Chat, text: str) -> None:
    reply = await chat.say(text)
    assert "outside what I know" in text_of(reply)
    assert "Protection plan" in [b.label for b in reply.all_buttons()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi", "Hello!"),
        ("Good morning!", "Hello!"),
        ("thanks", "You're welcome"),
        ("thx a lot", "You're welcome"),
        ("help", "/risk"),
        ("menu", "/certs"),
        ("bye", "Bye for now"),
        ("yes", "please press its button"),
        ("ok", "Anything else?"),
        ("got it", "Anything else?"),
        ("👍", "Anything else?"),
        ("hola", "Hello!"),
        ("Nope.", "please press its button"),
    ],
)
async def test_small_talk_gets_its_natural_reply(chat: Chat, text: str, expected: str) -> None:
    assert expected in text_of(await chat.say(text))


async def test_a_mistyped_command_offers_the_real_one(chat: Chat) -> None:
    reply = await chat.say("/rsik")
    assert "Did you mean /risk?" in text_of(reply)
    assert "46/100" in text_of(await chat.press("/risk"))


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("/subscribe", "1/4: the credential"),
        ("/unsubscribe", "You have no weekly nudges"),
        ("/Certifications", "Certification roadmap"),
        ("/occupation welder", "(SOC 51-4121)"),
        ("/menu", "What would you like to look at?"),
        ("/delete", "Delete everything?"),
    ],
)
async def test_another_name_for_a_command_runs_it(chat: Chat, typed: str, shown: str) -> None:
    assert shown in text_of(await chat.say(typed))


async def test_a_typo_of_another_name_offers_the_command(chat: Chat) -> None:
    reply = await chat.say("/subscibe")
    assert "Did you mean /goal?" in text_of(reply)
    assert reply is not None and reply.all_buttons()[0].label == "/goal"


def test_a_name_means_one_command() -> None:
    from bot.router import DuplicateRoute, Router
    from handlers import build_router

    names = build_router()
    taken = set(names.commands) & set(names.aliases)
    assert not taken and names.aliases["subscribe"] == "goal"
    handler = names.commands["risk"].handler
    second_alias = Router("second_alias")
    second_alias.command("exposure2", "x", also=("score",))(handler)
    alias_is_command = Router("alias_is_command")
    alias_is_command.command("score", "x")(handler)
    for clash in (second_alias, alias_is_command):
        for order in ((build_router(), clash), (clash, build_router())):
            with pytest.raises(DuplicateRoute):
                Router("root").include(*order)


async def test_free_text_opens_cards_without_a_command(chat: Chat) -> None:
    lifecycle = text_of(await chat.say("what are the stages of a model from data to monitoring"))
    assert "Problem framing" in lifecycle
    compare = await chat.say("how does an llm engineer differ from an ml engineer")
    assert "LLM Engineer" in text_of(compare) and "Machine Learning Engineer" in text_of(compare)
    assert not compare.edit
    cert = text_of(await chat.say("is ai102 still available"))
    assert "You can no longer take this exam" in cert


async def test_mydata_shows_and_exports_what_is_stored(chat: Chat) -> None:
    await chat.say("/roles mle")
    reply = await chat.say("/mydata")
    assert reply.personal
    assert "role_id: mle" in text_of(reply)
    exported = json.loads(reply.document.data)
    assert exported["profile"]["platform_user_id"] == "u1"


async def test_forget_asks_then_deletes_everything(chat: Chat, bot) -> None:
    await chat.say("/roles ai engineer")
    await chat.say("/forget")
    reply = await chat.press("No, keep it")
    assert "Nothing was deleted" in text_of(reply)
    assert await bot.services.users.get("test", "u1") is not None
    await chat.say("/forget")
    reply = await chat.press("Yes, delete everything")
    assert "deleted" in text_of(reply)
    assert await bot.services.users.get("test", "u1") is None
    assert await bot.services.chats.get("test", "u1") is None


async def test_summary_preview_in_private(chat: Chat) -> None:
    text = text_of(await chat.say("/summary"))
    assert "Preview" in text and "46/100" in text


async def test_summary_in_group_needs_a_moderator(bot, platform) -> None:
    member = Chat(bot, platform, user_id="member", chat_id="g1", chat_kind="group")
    text = text_of(await member.say("/summary"))
    assert "Only this chat's administrators" in text
    platform.moderators.add("mod")
    mod = Chat(bot, platform, user_id="mod", chat_id="g1", chat_kind="group")
    assert "Role summary: Machine Learning Engineer" in text_of(await mod.say("/summary mle"))


async def test_summary_link_and_post_to_channel(bot, platform) -> None:
    platform.moderators.add("mod")
    mod = Chat(bot, platform, user_id="mod", chat_id="g1", chat_kind="group")
    assert "No channel is linked" in text_of(await mod.say("/summary post"))
    platform.missing["@news"] = "Post messages"
    assert "Post messages" in text_of(await mod.say("/summary link @news"))
    del platform.missing["@news"]
    assert "Linked" in text_of(await mod.say("/summary link @news"))
    assert "Posted" in text_of(await mod.say("/summary post ai engineer"))
    target, posted = platform.sent[-1]
    assert target.chat_id == "@news" and "AI Engineer" in posted.title


async def test_group_chatter_is_ignored_but_commands_answer(bot, platform) -> None:
    member = Chat(bot, platform, user_id="m", chat_id="g2", chat_kind="group")
    assert await member.say("hello everyone") is None
    assert await member.say("/risk") is not None


async def test_every_button_in_every_reply_leads_somewhere(chat: Chat) -> None:
    """Walk the content menus: no button may hit an error or an expired menu.

    Buttons that act on stored data (goals, nudges, /forget) are steps of their own flows and
    are tested there; here they are not pressed out of order.
    """
    seen: set[str] = set()
    queue = [b.action for b in (await chat.say("/start")).all_buttons()]
    queue += [action("faqs", "mle"), action("certs", "mle"), action("roles")]
    while queue and len(seen) < 400:
        data = queue.pop()
        if data in seen or data.startswith(("v1:forget", "v1:goal", "v1:nudge")):
            continue
        seen.add(data)
        reply = await chat.press(data)
        text = text_of(reply)
        assert "error id" not in text and "expired" not in text, data
        queue += [b.action for b in reply.all_buttons()]
    assert len(seen) > 30
