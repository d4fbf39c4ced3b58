"""The personal risk check: the flow, a restart mid-way, a retake, /mydata, /forget and
answers that are not one of its buttons."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from bot.app import CareerBot
from bot.clock import ManualClock
from content.occupations.check import QUESTIONS, own_score, result
from domain.risk import RISK_NAME, formula_score
from handlers.check import typed_choice
from storage.models import RiskCheck
from tests.conftest import Chat, RecordingPlatform, settings_for, text_of

ANSWERS = [1, 2, 3, 2, 3, 0, 1, 0]
"""Answer index per question, in order."""


async def _rows(bot: CareerBot) -> list[RiskCheck]:
    async with bot.db.session() as session:
        return list((await session.exec(select(RiskCheck))).all())


async def _answer(chat: Chat, choices: list[int]) -> None:
    for choice in choices:
        reply = chat.last
        assert reply is not None
        buttons = reply.all_buttons()
        assert len(buttons) == 4, text_of(reply)
        await chat.press(buttons[choice].action)


def test_the_score_uses_the_published_formula() -> None:
    lowest = {q.id: (3 if q.factor == "human_judgment" else 0) for q in QUESTIONS}
    highest = {q.id: (0 if q.factor == "human_judgment" else 3) for q in QUESTIONS}
    assert own_score(lowest) == formula_score(1, 1, 10) == 0
    assert own_score(highest) == formula_score(10, 10, 1) == 100
    found = result(
        highest, {"repetitiveness": 5, "ai_adoption": 5, "human_judgment": 5}, estimated=True
    )
    assert found.own == 100 and found.baseline == formula_score(5, 5, 5)
    assert (
        sum(g.points for g in found.gaps) == found.own - found.baseline
        or abs(sum(g.points for g in found.gaps) - (found.own - found.baseline)) <= 1
    )
    assert len(found.moves) == 3
    assert (
        result(
            lowest, {"repetitiveness": 5, "ai_adoption": 5, "human_judgment": 5}, estimated=True
        ).moves
        == ()
    )


async def test_check_flow_for_an_occupation(chat: Chat, bot: CareerBot) -> None:
    first = text_of(await chat.say("/check paralegal"))
    assert f"1 of {len(QUESTIONS)}" in first and "Paralegals and Legal Assistants" in first
    await _answer(chat, ANSWERS)
    shown = text_of(chat.last)
    answers = {q.id: a for q, a in zip(QUESTIONS, ANSWERS, strict=True)}
    assert f"Your own {RISK_NAME}: {own_score(answers)}/100" in shown
    assert (
        "Paralegals and Legal Assistants:" in shown and "our estimate for the occupation" in shown
    )
    assert "What made the difference" in shown
    assert "Moves that would lower it most" in shown
    assert chat.last is not None
    labels = [b.label for b in chat.last.all_buttons()]
    assert "Set a study goal" in labels and "Retake the check" in labels
    [row] = await _rows(bot)
    assert row.score == own_score(answers) and json.loads(row.answers) == answers
    goal = text_of(await chat.press("Set a study goal"))
    assert "credential" in goal.lower() or "certification" in goal.lower()


async def test_check_from_the_risk_card_compares_with_the_role(chat: Chat) -> None:
    await chat.say("/risk mle")
    await chat.press("Check my own risk")
    await _answer(chat, [3, 3, 3, 3, 3, 0, 0, 0])
    shown = text_of(chat.last)
    assert "Machine Learning Engineer: 46/100" in shown and "the role's published estimate" in shown
    assert "For this role" in shown, "moves come from the pack's protection plan"


async def test_a_restart_mid_way_loses_nothing(tmp_path: Path, clock: ManualClock) -> None:
    platform = RecordingPlatform()
    first = CareerBot(settings_for(tmp_path), clock=clock)
    await first.start()
    chat = Chat(first, platform)
    await chat.say("/check accountant")
    await _answer(chat, ANSWERS[:3])
    pending = chat.last
    await first.stop()

    second = CareerBot(settings_for(tmp_path), clock=clock)
    await second.start()
    try:
        chat = Chat(second, platform)
        chat.last = pending
        await _answer(chat, ANSWERS[3:4])
        assert f"5 of {len(QUESTIONS)}" in text_of(chat.last)
        resumed = text_of(await chat.say("/check"))
        assert "Carrying on where you left off" in resumed and f"5 of {len(QUESTIONS)}" in resumed
        await _answer(chat, ANSWERS[4:])
        assert f"Your own {RISK_NAME}:" in text_of(chat.last)
    finally:
        await second.stop()


async def test_a_retake_makes_old_buttons_stale(chat: Chat, bot: CareerBot) -> None:
    await chat.say("/check accountant")
    old = chat.last
    await _answer(chat, ANSWERS[:2])
    await chat.say("/check accountant")
    [row] = await _rows(bot)
    assert json.loads(row.answers) == {}
    chat.last = old
    stale = text_of(await chat.press(old.all_buttons()[0].action if old else ""))
    assert "no longer open" in stale
    [after] = await _rows(bot)
    assert json.loads(after.answers) == {}, "a stale button stored nothing"


async def test_answers_that_are_not_buttons_change_nothing(chat: Chat, bot: CareerBot) -> None:
    await chat.say("/check accountant")
    await _answer(chat, ANSWERS[:1])
    [row] = await _rows(bot)
    typed = text_of(await chat.say("about half, I think"))
    assert "Please press one of the answers" in typed and "2 of" in typed
    forged = text_of(await chat.press(f"v1:chk:{row.take}:1:9"))
    assert "isn't one of the answers" in forged
    again = text_of(await chat.press(f"v1:chk:{row.take}:0:2"))
    assert "already answered" in again
    junk = text_of(await chat.press("v1:chk:abc"))
    assert "isn't one of the check's answers" in junk
    [after] = await _rows(bot)
    assert after.answers == row.answers and after.score is None


async def test_mydata_shows_the_check_and_forget_deletes_it(chat: Chat, bot: CareerBot) -> None:
    await chat.say("/check accountant")
    pending = chat.last
    await _answer(chat, ANSWERS[:2])
    mine = await chat.say("/mydata")
    shown = text_of(mine)
    assert "Your own risk check" in shown and "13-2011" in shown
    assert mine is not None and mine.document is not None
    assert json.loads(mine.document.data)["risk_check"][0]["subject"] == "13-2011"
    await chat.say("/forget")
    await chat.press("Yes, delete everything")
    assert await _rows(bot) == []
    chat.last = pending
    stale = text_of(await chat.press(pending.all_buttons()[0].action if pending else ""))
    assert "no longer open" in stale
    assert await _rows(bot) == [], "a button pressed after /forget stores nothing"


async def test_check_asks_for_the_job_and_offers_choices(chat: Chat) -> None:
    asked = text_of(await chat.say("/check"))
    assert "What is your job?" in asked
    few = await chat.say("truck driver")
    assert few is not None and all(b.action.startswith("v1:check:") for b in few.all_buttons())
    started = text_of(await chat.press("Light Truck Drivers"))
    assert "Light Truck Drivers" in started and "1 of" in started
    unknown = text_of(await chat.say("/check blorptastic"))
    assert "role or occupation called" in unknown


async def test_a_role_without_a_score_asks_for_the_job(chat: Chat) -> None:
    await chat.say("/roles llm engineer")
    asked = text_of(await chat.say("/check"))
    assert "What is your job?" in asked
    stale = text_of(await chat.press("v1:check:llm-eng"))
    assert "no score to compare you with" in stale


async def test_a_typed_answer_counts_like_its_button(chat: Chat, bot: CareerBot) -> None:
    await chat.say("/check accountant")
    assert "2 of" in text_of(await chat.say("About half."))
    assert "3 of" in text_of(await chat.say("often"))
    [row] = await _rows(bot)
    assert json.loads(row.answers) == {"routine": 2, "template": 2}
    # A word in two answers ("about") or in none is not an answer.
    assert "Please press one of the answers" in text_of(await chat.say("hmm"))
    assert typed_choice(QUESTIONS[0].answers, "about") is None
    assert typed_choice(QUESTIONS[0].answers, "none") == 0
    assert typed_choice(("Not at all", "A little", "A lot", "Entirely"), "all") is None


async def test_an_unknown_job_keeps_the_question_open(chat: Chat) -> None:
    await chat.say("/check")
    assert "Type your job again" in text_of(await chat.say("yes"))
    assert "1 of" in text_of(await chat.say("I'm a plumer"))


async def test_a_command_leaves_the_check_and_check_carries_on(chat: Chat) -> None:
    await chat.say("/check accountant")
    await _answer(chat, ANSWERS[:2])
    assert "What I store about you" in text_of(await chat.say("/mydata"))
    answered = text_of(await chat.say("will AI replace ML engineers?"))
    assert "Please press one of the answers" not in answered
    assert f"3 of {len(QUESTIONS)}" in text_of(await chat.say("/check"))


async def test_cancel_in_the_middle_of_the_check_stops_it_and_keeps_the_answers(
    chat: Chat,
) -> None:
    """/cancel used to say "nothing to cancel" at question 3 of 8: a command had already set
    the check aside. It now says the check stopped, and /check carries on from there."""
    await chat.say("/check accountant")
    await _answer(chat, ANSWERS[:2])
    assert "Risk check paused" in text_of(await chat.say("/help"))
    stopped = text_of(await chat.say("/cancel"))
    assert "Risk check stopped" in stopped and "answers you gave are kept" in stopped
    assert f"3 of {len(QUESTIONS)}" in text_of(await chat.say("/check"))


async def test_cancel_while_asked_for_the_job_cancels_the_check(chat: Chat) -> None:
    assert "What is your job?" in text_of(await chat.say("/check"))
    assert "Risk check cancelled" in text_of(await chat.say("/cancel"))
    assert "nothing to cancel" in text_of(await chat.say("/cancel"))
