"""Core pieces: action strings, routing rules, splitting long answers, secret masking."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from bot.actions import MAX_BYTES, Action, MalformedAction, action, parse
from bot.logsetup import RedactingFormatter, secrets_of
from bot.messages import LABEL_LIMIT, Button, short_label
from bot.render import split_blocks
from bot.router import DuplicateRoute, Router
from handlers import build_router
from tests.conftest import settings_for


def test_actions_round_trip_and_fit_telegram() -> None:
    data = action("faq", "mle", "automl")
    assert data == "v1:faq:mle:automl"
    assert parse(data) == Action("faq", ("mle", "automl"))
    assert len(data.encode()) <= MAX_BYTES


def test_a_long_button_label_is_cut_at_a_word_not_mid_word() -> None:
    title = "How should a company evaluate a machine learning engineer candidate?"
    button = Button(title, action("faq", "mle", "evaluate"))
    assert button.label == "How should a company evaluate a machine learning engineer…"
    assert len(button.label) <= LABEL_LIMIT
    assert Button("Tasks at risk", "v1:tasks").label == "Tasks at risk"


def test_a_long_exam_name_keeps_its_code() -> None:
    label = short_label("AWS Certified Machine Learning Engineer - Associate (MLA-C01)")
    assert label == "AWS Certified Machine Learning Engineer… (MLA-C01)"


def test_a_label_with_no_space_to_cut_at_is_cut_at_the_limit() -> None:
    label = short_label("x" * 100)
    assert label == "x" * (LABEL_LIMIT - 1) + "…"


@pytest.mark.parametrize("data", ["", "v2:risk", "v1", "v1::", "v1:a b", "v1:" + "x" * 70])
def test_bad_action_data_does_not_parse(data: str) -> None:
    with pytest.raises(MalformedAction):
        parse(data)


def test_every_button_the_handlers_can_build_fits_64_bytes() -> None:
    from content.loader import load_library

    library = load_library()
    for pack in library.packs:
        for faq in pack.faqs.items if pack.faqs else []:
            assert len(action("faq", pack.id, faq.id).encode()) <= MAX_BYTES
        for cert in pack.certifications.items if pack.certifications else []:
            assert len(action("cert", pack.id, cert.id).encode()) <= MAX_BYTES


def test_two_handlers_for_one_command_are_caught_when_building() -> None:
    first, second = Router("a"), Router("b")

    @first.command("risk", "x")
    async def one(ctx):
        return None

    @second.command("risk", "y")
    async def two(ctx):
        return None

    with pytest.raises(DuplicateRoute, match="command 'risk' registered twice"):
        Router("root").include(first, second)


def test_the_shipped_router_has_every_documented_command() -> None:
    commands = build_router().commands
    for name in (
        "start",
        "help",
        "roles",
        "risk",
        "tasks",
        "plan",
        "faq",
        "certs",
        "day",
        "about",
        "mydata",
        "forget",
        "summary",
    ):
        assert name in commands
    assert commands["mydata"].personal and commands["summary"].scope == "moderator"


def test_split_keeps_paragraphs_whole_and_loses_nothing() -> None:
    blocks = [f"paragraph {i} " + "word " * 150 for i in range(40)]
    chunks = split_blocks(blocks, 4096)
    assert all(len(c) <= 4096 for c in chunks)
    assert "\n\n".join(chunks) == "\n\n".join(blocks)
    assert all(c.startswith("paragraph") for c in chunks)


def test_split_breaks_an_oversized_block_at_lines_then_words_then_hard() -> None:
    lines = "\n".join("line " * 20 for _ in range(100))
    assert all(len(c) <= 500 for c in split_blocks([lines], 500))
    unbroken = "x" * 1200
    assert "".join(split_blocks([unbroken], 500)) == unbroken


def test_tokens_never_reach_a_log_line(tmp_path, caplog) -> None:
    settings = settings_for(
        tmp_path,
        telegram_bot_token=SecretStr("123456:AAHsecretTOKENvalue"),
        database_url="postgresql+asyncpg://bot:hunter22pw@db/careerbot",
    )
    assert "AAHsecret" not in repr(settings) and "AAHsecret" not in str(settings.model_dump())
    formatter = RedactingFormatter("%(message)s", secrets_of(settings))
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "POST https://api.telegram.org/bot%s/getMe via %s",
        ("123456:AAHsecretTOKENvalue", "hunter22pw"),
        None,
    )
    line = formatter.format(record)
    assert "AAHsecret" not in line and "hunter22pw" not in line
    assert "/bot***/getMe" in line
