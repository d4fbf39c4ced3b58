"""STYLE.md's checkable rules, over every reply the router can produce.

A crawler sends every command (bare and with each role), presses every button reachable from
those replies, walks the goal set-up and feeds the answers to bad input, in a private chat and in
a group as a moderator. What the bot sends on its own is collected too: the summaries a moderator
posts, and a weekly nudge from a real scheduler tick with every button under it pressed. Each
rule then runs over all the texts collected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.app import CareerBot
from bot.clock import ManualClock
from bot.messages import Reply
from bot.render import plain_text
from domain.risk import RISK_DEFINITION, RISK_NAME
from tests.conftest import Chat, RecordingPlatform
from tests.test_scheduler import dispatcher, make_goal

MAX_PRESSES = 600
SKIP_ACTIONS = ("v1:privacy:",)  # /forget's "yes" would wipe the crawler's own state mid-walk


async def _crawl(bot: CareerBot, chat: Chat, starts: list[str]) -> dict[str, Reply]:
    seen: dict[str, Reply] = {}
    queue: list[str] = []

    def take(key: str, reply: Reply | None) -> None:
        if reply is None:
            return
        seen[key] = reply
        for button in reply.all_buttons():
            data = button.action
            if data not in seen and data not in queue and not data.startswith(SKIP_ACTIONS):
                queue.append(data)

    for text in starts:
        take(text, await chat.say(text))
    presses = 0
    while queue and presses < MAX_PRESSES:
        data = queue.pop(0)
        presses += 1
        take(data, await chat.press(data))
    return seen


@pytest.fixture
async def replies(bot: CareerBot, clock: ManualClock) -> dict[str, Reply]:
    """Every reply a newcomer can reach, and everything the bot sends, keyed by what produced it."""
    private = Chat(bot, RecordingPlatform())
    commands = [info for info in bot.services.router_commands]
    starts = ["/goal", "aws", "mla-c01", "no date", "tuesday 19:30", "Berlin"]
    starts += [f"/{info.name}" for info in commands]
    for info in commands:
        if info.takes_role:
            starts += [f"/{info.name} {pack.id}" for pack in bot.services.library.packs]
    starts += ["/roles mle", "/risk astronaut", "/nosuch", "x" * 5000, ""]
    collected = await _crawl(bot, private, starts)
    group = Chat(
        bot,
        RecordingPlatform(moderators={"mod"}),
        user_id="mod",
        chat_id="group1",
        chat_kind="group",
    )
    for key, reply in (await _crawl(bot, group, [f"/{i.name}" for i in commands])).items():
        collected[f"group {key}"] = reply
    for index, (_, reply) in enumerate(group.platform.sent):
        collected[f"posted {index}"] = reply
    collected.update(await _nudge_and_its_buttons(bot, clock))
    return collected


async def _nudge_and_its_buttons(bot: CareerBot, clock: ManualClock) -> dict[str, Reply]:
    platform = RecordingPlatform()
    learner = Chat(bot, platform, user_id="learner")
    await make_goal(bot, user="learner", weekday=clock.now().weekday(), at="23:00", tz="UTC")
    clock.advance(timedelta(days=1))
    await dispatcher(bot, platform).tick()
    nudges = [reply for _, reply in platform.sent]
    assert nudges, "the tick sent no nudge"
    found = {f"nudge {i}": reply for i, reply in enumerate(nudges)}
    for button in nudges[0].all_buttons():
        pressed = await learner.press(button.action)
        if pressed is not None:
            found[f"nudge {button.action}"] = pressed
    return found


def _texts(replies: dict[str, Reply]) -> Iterator[tuple[str, str]]:
    for key, reply in replies.items():
        labels = "\n".join(b.label for b in reply.all_buttons())
        yield key, plain_text(reply) + "\n" + labels


def _offenders(replies: dict[str, Reply], pattern: str, flags: int = 0) -> list[str]:
    found = []
    for key, text in _texts(replies):
        match = re.search(pattern, text, flags)
        if match:
            found.append(f"{key[:60]!r}: …{text[max(0, match.start() - 40) : match.end() + 40]}…")
    return found


def test_the_crawl_reaches_every_section(replies: dict[str, Reply]) -> None:
    """Guards the other tests: a crawler that reached nothing would make them pass vacuously."""
    joined = "\n".join(text for _, text in _texts(replies))
    for expected in (
        "46/100",
        "How the AI automation risk score is computed",
        "Exam areas and weights",
        "Please confirm your study goal",
        "A day in the life",
        "Frequently asked",
        "This week",
    ):
        assert expected in joined
    assert len(replies) > 100


def test_the_risk_number_has_one_name(replies: dict[str, Reply]) -> None:
    assert not _offenders(
        replies,
        r"AI risk score|exposure score|replacement risk|risk of replacement|safest|"
        r"how exposed the work is|exposure (is|to AI tools is) (very )?high",
        re.IGNORECASE,
    )
    card = "\n".join(text for key, text in _texts(replies) if key == "/risk")
    assert f"medium {RISK_NAME}" in card and RISK_DEFINITION in card


def test_judgement_is_spelt_one_way(replies: dict[str, Reply]) -> None:
    assert not _offenders(replies, r"\bjudgment", re.IGNORECASE)


def test_replies_name_sources_by_title_never_by_id_file_or_note(
    bot: CareerBot, replies: dict[str, Reply]
) -> None:
    ids = {s.id for pack in bot.services.library.packs for s in pack.sources}
    id_pattern = r"(?<![\w-])(" + "|".join(re.escape(i) for i in sorted(ids)) + r")(?![\w-])"
    assert not _offenders(replies, id_pattern)
    assert not _offenders(replies, r"\.txt\b|shared/sources|not checked|discarded|Sources: [a-z]")


def test_no_exam_dump_site_is_cited(replies: dict[str, Reply]) -> None:
    assert not _offenders(
        replies, r"dumpsbase|examtopics|certqna|examlabs|certcrush|examinotion", re.IGNORECASE
    )


def test_no_page_the_person_cannot_see(replies: dict[str, Reply]) -> None:
    assert not _offenders(
        replies,
        r"the (risk|career|source|hiring) page|source page|the copy we have|the risk page",
        re.IGNORECASE,
    )


def test_dates_are_written_one_way(replies: dict[str, Reply]) -> None:
    """ISO dates only as an example of what to type, right after "e.g."."""
    assert not _offenders(replies, r"(?<!e\.g\. )(?<!or )\b20\d\d-\d\d-\d\d\b")


def test_no_nested_parentheses(replies: dict[str, Reply]) -> None:
    assert not _offenders(replies, r"\([^()\n]*\(")


def test_no_shouting(replies: dict[str, Reply]) -> None:
    assert not _offenders(replies, r"\b[A-Z]{3,}[’']?[A-Z]* [A-Z]{3,} [A-Z]{3,}\b")
    for key, reply in replies.items():
        title = reply.title or ""
        assert title != title.upper() or not any(c.isalpha() for c in title), key


def test_no_lead_in_repeated_and_no_choice_of_one(replies: dict[str, Reply]) -> None:
    for key, text in _texts(replies):
        assert text.count("Our pick") <= 1, key
    assert not _offenders(replies, r"from 1 to 1\b")


def test_no_future_tense_about_a_date_that_has_passed(replies: dict[str, Reply]) -> None:
    """Facts are as of the review date (late November 2026): nothing "targeted for June 2026"."""
    months = "January|February|March|April|May|June|July|August|September|October"
    assert not _offenders(
        replies,
        rf"(will|targeted for|taking effect on|scheduled (to|for)|is to|has been reported)"
        rf"[^.]{{0,60}}\b(\d{{1,2}} )?({months}) 2026\b",
        re.IGNORECASE,
    )
