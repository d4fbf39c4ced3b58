"""Property-based tests (hypothesis): whatever arrives, the bot answers without an internal
error, and the parsers either understand it or refuse it with their own error.

Bounded (example counts, sizes, no deadline on a busy CI box) so the whole file stays fast.
A failure hypothesis finds is fixed at its root and kept below as an example test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.actions import MAX_ID, Action, ActionTooLong, MalformedAction, parse, parse_number
from bot.adapters.console import ConsolePlatform
from bot.app import CareerBot
from bot.clock import ManualClock
from bot.messages import Inbound, Reply
from domain.parsing import InputError, parse_clock, parse_exam_date, parse_weekday, parse_when
from domain.zones import resolve_timezone, slug_to_zone
from tests.conftest import START, RecordingPlatform, settings_for, text_of

BOUNDED = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLUG = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_.+-", min_size=1, max_size=12)
NUMBER = st.one_of(
    st.integers(min_value=-5, max_value=2**70).map(str),
    st.sampled_from(["2147483647", "2147483648", "9223372036854775808", "0", "00", "1"]),
)
ARGUMENT = st.one_of(
    NUMBER,
    SLUG,
    st.sampled_from(["mle", "yes", "no", "done", "snooze", "skip", "stop", "show", "tz"]),
    st.sampled_from(["America", "Europe.Berlin", "Etc", "..", "America.New_York"]),
)


class Runner:
    """One real bot on a SQLite file, driven from hypothesis' synchronous examples."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.Runner()
        self.bot = CareerBot(settings_for(tmp, flood_burst=0), clock=ManualClock(START))
        self.loop.run(self.bot.start())
        self.platform = RecordingPlatform(moderators={"mod"})

    def feed(self, inbound: Inbound) -> Reply | None:
        return self.loop.run(self.bot.feed(inbound, self.platform))

    def close(self) -> None:
        self.loop.run(self.bot.stop())
        self.loop.close()


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    running = Runner(tmp_path_factory.mktemp("properties"))
    yield running
    running.close()


def no_internal_error(reply: Reply | None) -> None:
    if reply is not None:
        assert "error id" not in text_of(reply), text_of(reply)


def action_strings(names: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(
            lambda name, args: ":".join(["v1", name, *args]),
            st.sampled_from(names),
            st.lists(ARGUMENT, max_size=4),
        ),
        st.text(max_size=80),
    )


# --------------------------------------------------------------------------- the router


@BOUNDED
@given(data=st.data())
def test_any_button_data_is_answered_never_with_an_error(runner: Runner, data) -> None:  # type: ignore[no-untyped-def]
    names = sorted(runner.bot.router.actions)
    pressed = data.draw(action_strings(names))
    chat_kind = data.draw(st.sampled_from(["private", "group"]))
    user = data.draw(st.sampled_from(["u1", "mod"]))
    chat = user if chat_kind == "private" else "g1"
    inbound = Inbound("test", user, chat, kind="action", text=pressed, chat_kind=chat_kind)
    no_internal_error(runner.feed(inbound))


COMMANDS = ["/start", "/goal", "/summary", "/summary every", "/summary cancel", "/risk", "/faq"]


@BOUNDED
@given(
    text=st.one_of(
        st.text(max_size=120),
        st.builds(lambda c, t: f"{c} {t}", st.sampled_from(COMMANDS), st.text(max_size=60)),
    ),
    chat_kind=st.sampled_from(["private", "group"]),
)
def test_any_text_is_answered_never_with_an_error(
    runner: Runner, text: str, chat_kind: str
) -> None:
    chat = "mod" if chat_kind == "private" else "g1"
    inbound = Inbound("test", "mod", chat, text=text, chat_kind=chat_kind)  # type: ignore[arg-type]
    no_internal_error(runner.feed(inbound))


# --------------------------------------------------------------------------- actions and ids


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=100))
@example("v1:goal:show:9223372036854775808")
@example("v1:" + "a" * 70)
def test_the_action_parser_parses_or_refuses(data: str) -> None:
    try:
        parsed = parse(data)
    except MalformedAction:
        return
    assert parsed.encode() == data, "what parses is exactly what it encodes to"


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(SLUG, min_size=1, max_size=5))
def test_actions_round_trip_or_are_refused_for_length(parts: list[str]) -> None:
    built = Action(parts[0], tuple(parts[1:]))
    try:
        data = built.encode()
    except ActionTooLong:
        return
    assert parse(data) == built


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(st.text(max_size=25), NUMBER))
@example("፩")
@example("²")
@example("٣")
@example(" 7 ")
@example("1_000")
def test_numbers_are_plain_ascii_digits_within_the_database_range(text: str) -> None:
    number = parse_number(text)
    if number is None:
        return
    assert 1 <= number <= MAX_ID
    assert text.strip().isascii() and int(text.strip()) == number


@settings(max_examples=40, deadline=None, database=None)
@given(NUMBER)
def test_every_accepted_id_is_safe_to_look_up(runner: Runner, text: str) -> None:
    """Storage ids: whatever parse_number lets through, the database can be asked about."""
    number = parse_number(text)
    if number is None:
        return
    services = runner.bot.services
    runner.loop.run(services.goals.get(number))
    runner.loop.run(services.subscriptions.get(number))


# --------------------------------------------------------------------------- terminal input


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=30))
@example("--1")
@example("---1")
@example("²")
@example("①")
@example("-²")
def test_the_terminal_reads_any_line(tmp_path_factory: pytest.TempPathFactory, line: str) -> None:
    platform = ConsolePlatform(
        None,  # type: ignore[arg-type]  (nothing is shown here)
        tmp_path_factory.getbasetemp(),
        chat_id="me",
    )
    platform.buttons = [*platform.buttons]
    result = platform.inbound_for(line, "me")
    assert isinstance(result, Inbound | Reply)


# --------------------------------------------------------------------------- time and dates

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=40))
@example("2026-02-31")
@example("31 February 2027")
@example("9999-12-31")
@example("0000-01-01")
def test_date_and_time_parsers_understand_or_refuse(text: str) -> None:
    for parser in (
        lambda t: parse_exam_date(t, date(2026, 11, 30)),
        parse_weekday,
        parse_clock,
        parse_when,
    ):
        with contextlib.suppress(InputError):
            parser(text)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=40))
@example("America")
@example("UTC+99")
@example("../../etc/passwd")
def test_time_zones_resolve_or_refuse(text: str) -> None:
    choice = resolve_timezone(text, NOW)
    assert choice.zone is None or slug_to_zone(choice.zone.replace("/", ".")) == choice.zone
