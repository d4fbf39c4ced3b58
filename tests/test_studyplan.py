"""Pure pieces: weekly times, the plan's allocation, parsing and the .ics file."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from content.loader import load_library
from domain.ics import plan_ics, transitions
from domain.parsing import (
    InputError,
    parse_clock,
    parse_exam_date,
    parse_when,
    parse_when_parts,
)
from domain.schedule import REVIEW_GAP
from domain.studyplan import (
    DEFAULT_WEEKS,
    _allocation,
    _schedule,
    allocate,
    build_plan,
    layout,
    plan_length,
    plan_position,
    week_number,
    week_words,
    weeks_left,
)
from domain.weekly import latest_occurrence, next_occurrence
from domain.zones import resolve_timezone, slug_to_zone, zone_to_slug
from tests.conftest import Chat, text_of

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
AWS_MLA = (
    ("Data preparation", 28.0),
    ("Model development", 26.0),
    ("Deployment", 22.0),
    ("Monitoring", 24.0),
)


def test_allocation_follows_weights_and_sums() -> None:
    assert allocate([28, 26, 22, 24], 15) == [4, 4, 3, 4]
    assert allocate([13, 14, 18, 20, 22, 13], 6) == [1, 1, 1, 1, 1, 1]
    heavy = allocate([80, 10, 10], 10)
    assert sum(heavy) == 10 and heavy[0] == 8 and min(heavy) >= 1


def test_plan_interleaves_domains_by_weight_and_ends_with_practice_then_review() -> None:
    plan = build_plan(AWS_MLA, date(2026, 11, 24), date(2027, 3, 16))
    assert len(plan.weeks) == 16
    assert [w.kind for w in plan.weeks[-2:]] == ["practice", "exam"]
    assert [w.topic for w in plan.weeks[-2:]] == ["Practice exam and review", "Final review"]
    assert dict(plan.allocation) == {
        "Data preparation": 4,
        "Model development": 4,
        "Deployment": 3,
        "Monitoring": 3,
    }
    study = [w.topic for w in plan.weeks if w.kind == "study"]
    assert Counter(study) == Counter(dict(plan.allocation))
    assert all(a != b for a, b in itertools.pairwise(study)), "no block of one area"
    assert study[:4] == [name for name, _ in AWS_MLA], "every area comes in before any repeats"
    assert plan.weeks[0].heading == "Week 1: Data preparation (week 1 of 4 on this area)"
    assert plan.weeks[4].heading == "Week 5: Data preparation (week 2 of 4 on this area)"
    assert plan.weeks_left(date(2026, 11, 24)) == 16
    assert plan.week_number(date(2026, 12, 1)) == 2


def test_earlier_domains_come_back_for_spaced_review() -> None:
    plan = build_plan(AWS_MLA, date(2026, 11, 24), date(2027, 3, 16))
    seen: dict[str, int] = {}
    reviewed = set()
    for week in plan.weeks:
        if week.review is not None:
            assert week.review != week.topic and week.review in seen, "only an earlier area"
            assert week.number - seen[week.review] >= 2, "after a gap, not the next week"
            assert any(week.review in line for line in week.todo)
            reviewed.add(week.review)
            seen[week.review] = week.number
        if week.kind == "study":
            seen[week.topic] = week.number
    assert reviewed == {name for name, _ in AWS_MLA}, "every area is brought back"


def test_short_and_dateless_plans() -> None:
    one = build_plan(AWS_MLA, date(2026, 11, 24), date(2026, 11, 28))
    assert [w.kind for w in one.weeks] == ["exam"]
    assert "practice exam" in one.weeks[0].todo[0]
    two = build_plan(AWS_MLA, date(2026, 11, 24), date(2026, 12, 5))
    assert [w.kind for w in two.weeks] == ["study", "exam"]
    four = build_plan(AWS_MLA, date(2026, 11, 24), date(2026, 12, 22))
    assert [w.topic for w in four.weeks] == [
        "Data preparation + Model development",
        "Deployment + Monitoring",
        "Practice exam and review",
        "Final review",
    ]
    for week in four.weeks[:2]:  # two areas a week: a task for each, then practice over both
        assert len(week.todo) == 3 and "spread over these 2 areas" in week.todo[2]
        for name in week.topic.split(" + "):
            assert week.todo[week.topic.split(" + ").index(name)].startswith(name)
    dateless = build_plan(AWS_MLA, date(2026, 11, 24), None)
    assert len(dateless.weeks) == DEFAULT_WEEKS and dateless.weeks_left(date(2027, 1, 1)) is None
    assert dateless.week(20).topic == "Keep practising"


def test_each_week_names_the_packs_own_todo_for_that_area() -> None:
    cert = load_library().get("mle").certifications.get("aws-mla")  # type: ignore[union-attr]
    domains = tuple((d.name, d.weight, tuple(d.todo)) for d in cert.domains)
    plan = build_plan(domains, date(2026, 11, 24), date(2027, 3, 16))
    for week in plan.weeks:
        if week.kind != "study":
            continue
        [domain] = [d for d in cert.domains if d.name == week.topic]
        assert week.todo[0] == domain.todo[(week.part - 1) % len(domain.todo)]
    for domain in cert.domains:
        firsts = [w.todo[0] for w in plan.weeks if w.topic == domain.name]
        assert all(a != b for a, b in itertools.pairwise(firsts)), "a new task each time"


def test_a_week_from_the_cached_layout_is_the_dated_plans_week() -> None:
    start, exam = date(2026, 11, 24), date(2027, 3, 16)
    plan = build_plan(AWS_MLA, start, exam)
    total = plan_length(start, exam)
    for number in range(1, total + 3):
        dated = plan.week(number)
        assert week_words(AWS_MLA, total, number) == (dated.heading, dated.todo)


def test_a_nudge_week_built_as_far_as_asked_is_the_full_layouts_week() -> None:
    """week_words works out a plan's study weeks only up to the one asked for, and later
    extends the same prefix: in any order of asking, every week says what the full layout's
    week says."""
    library = load_library()
    certs = library.get("mle").certifications  # type: ignore[union-attr]
    for cert in certs.items:
        domains = tuple((d.name, d.weight, tuple(d.todo)) for d in cert.domains)
        for total in (1, 2, 3, 4, 7, 8, 30, 104, 120):
            full = layout(domains, total).weeks
            order = [5, 1, 2, total, 3, total - 1, total + 1, *range(1, total + 3)]
            for number in order:
                heading, todo = week_words(domains, total, number)
                if 1 <= number <= total:
                    expected = full[number - 1]
                    assert (heading, todo) == (expected.heading, expected.todo), (total, number)
                else:
                    assert heading == f"Week {number}: Keep practising"


SCHEDULE_WEIGHTS = (
    [1.0],
    [1.0, 1.0],
    [28.0, 26.0, 22.0, 24.0],
    [5.0] * 6,
    [80.0, 10.0, 10.0],
    [13.0, 14.0, 18.0, 20.0, 22.0, 13.0],
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
)


def _schedule_by_definition(specs: list, study: int) -> list[tuple[int, int, int, int]]:
    """The schedule as the docstring defines it, looking at every domain each week."""
    counts = _allocation(specs, study)
    seen = [0] * len(specs)
    last: dict[int, int] = {}
    steps = []
    rounds = [i for r in range(max(counts)) for i, count in enumerate(counts) if count > r]
    for number, i in enumerate(rounds, start=1):
        seen[i] += 1
        eligible = [(week, j) for j, week in last.items() if j != i and number - week >= REVIEW_GAP]
        pick = min(eligible)[1] if eligible else -1
        if pick >= 0:
            last[pick] = number
        last[i] = number
        steps.append((i, seen[i], counts[i], pick))
    return steps


def test_the_schedule_kept_in_order_picks_the_reviews_the_definition_picks() -> None:
    """_schedule keeps the domains ordered by when they were last seen and looks at two of
    them a week; the review it picks is the one a search of every domain picks, ties included
    (equal weights make many), for every plan length and number of domains."""
    for weights in SCHEDULE_WEIGHTS:
        specs = [(f"d{n}", w, ()) for n, w in enumerate(weights)]
        for study in range(len(specs), 130):
            assert list(_schedule(specs, study)) == _schedule_by_definition(specs, study), (
                weights,
                study,
            )


def test_weeks_from_the_rounds_every_plan_length_shares_are_each_lengths_own() -> None:
    """The rounds in which every domain is studied are worked out once per number of domains
    and shared by every plan length (each then goes on from their end on its own): asked in an
    order that has one length extend the shared rounds and another use them, every week equals
    the week of the full layout, worked out for that length alone."""
    rng = random.Random(5)
    for weights in SCHEDULE_WEIGHTS:
        domains = tuple((f"w{len(weights)}-d{n}", w) for n, w in enumerate(weights))
        asks = [(total, number) for total in range(1, 131) for number in range(1, total + 1)]
        rng.shuffle(asks)
        for total, number in asks:
            expected = layout(domains, total).weeks[number - 1]
            got = week_words(domains, total, number)
            assert got == (expected.heading, expected.todo), (weights, total, number)


def test_next_and_latest_occurrence_are_inverse() -> None:
    nxt = next_occurrence(1, "19:30", "Europe/Berlin", NOW)
    assert nxt == datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    assert next_occurrence(1, "19:30", "Europe/Berlin", nxt) == nxt + timedelta(days=7)
    assert latest_occurrence(1, "19:30", "Europe/Berlin", nxt) == nxt
    assert latest_occurrence(1, "19:30", "Europe/Berlin", nxt - timedelta(seconds=1)) == (
        nxt - timedelta(days=7)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-15", date(2027, 3, 15)),
        ("15.03.2027", date(2027, 3, 15)),
        ("15 March 2027", date(2027, 3, 15)),
        ("March 15th, 2027", date(2027, 3, 15)),
        ("29 Feb 2028", date(2028, 2, 29)),
        ("15/03/2027", date(2027, 3, 15)),  # day first: 15 cannot be a month
        ("03/15/2027", date(2027, 3, 15)),  # month first: the US order
        ("4/4/2027", date(2027, 4, 4)),
        ("03/12/2026", date(2026, 12, 3)),  # 12 March 2026 has passed: one reading left
        ("15-03-2027", date(2027, 3, 15)),
        ("2027/03/15", date(2027, 3, 15)),
        ("In 8 weeks.", NOW.date() + timedelta(weeks=8)),
        ("15 March", date(2027, 3, 15)),  # the next 15 March
        ("march 15th", date(2027, 3, 15)),
        ("1 December", date(2026, 12, 1)),  # still this year
        ("29 February", date(2028, 2, 29)),  # the next leap year's
        ("in 8 weeks", NOW.date() + timedelta(weeks=8)),
        ("in 10 days", NOW.date() + timedelta(days=10)),
        ("in a month", date(2026, 12, 24)),
        ("in 3 months", date(2027, 2, 24)),
        ("in two weeks", NOW.date() + timedelta(weeks=2)),
        ("in a couple of weeks", NOW.date() + timedelta(weeks=2)),
        ("in a couple weeks", NOW.date() + timedelta(weeks=2)),
        ("in a fortnight", NOW.date() + timedelta(weeks=2)),
        ("in 3 fortnights", NOW.date() + timedelta(weeks=6)),
        ("in twelve months", date(2027, 11, 24)),
        ("tomorrow", date(2026, 11, 25)),
        ("Friday", date(2026, 11, 27)),  # NOW is a Tuesday: the coming Friday
        ("this fri", date(2026, 11, 27)),
        ("on Tuesday", date(2026, 12, 1)),  # today's weekday: a week on, never today
    ],
)
def test_exam_dates_read(text: str, expected: date) -> None:
    assert parse_exam_date(text, NOW.date()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-02-31", "February 2027 has 28 days"),
        ("29 February 2027", "February 2027 has 28 days"),
        ("2026-11-24", "not in the future"),
        ("2029-01-01", "more than two years away"),
        ("soon", "couldn't read"),
        ("15 Smarch 2027", "don't know the month"),
        ("31/02/2027", "February 2027 has 28 days"),
        ("03/04/2027", "could be 3 April 2027 or 4 March 2027"),  # asked, never guessed
        ("March 2027", "Which day in March 2027"),
        ("March 2025", "March 2025 has passed"),
        ("March 2030", "more than two years away"),
        ("March 0000", "There is no year 0"),
        ("0000-03-15", "There is no year 0"),
        ("05/12/2028", "could be 5 December 2028 or 12 May 2028"),  # far, but never guessed
        ("31 April", "April 2026 has 30 days"),
        ("in 30 months", "more than two years away"),
        ("week 12", "couldn't read"),
        ("in 3 fortnites", "couldn't read"),
        ("this Tuesday", "not in the future"),  # NOW is a Tuesday: today is not ahead
        ("next Friday", "could be Friday 27 November 2026 or Friday 4 December 2026"),
        ("next week", "Which day next week"),
        ("this week", "couldn't read"),
    ],
)
def test_exam_dates_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_exam_date(text, NOW.date())


def test_times_and_weekdays() -> None:
    assert parse_when("Tuesday 19:30") == (1, "19:30")
    assert parse_when("sat 9am") == (5, "09:00")
    assert parse_when("19:30 Thu") == (3, "19:30")
    assert parse_when("sun at 12pm") == (6, "12:00")
    assert parse_when("mondays at 7pm") == (0, "19:00")
    assert parse_when("Tuesday at noon") == (1, "12:00")
    assert parse_when("wed 18h") == (2, "18:00")
    assert parse_when("wed 18h30") == (2, "18:30")
    assert parse_when("friday 7 p.m.") == (4, "19:00")
    assert parse_when("Sunday 12 noon") == (6, "12:00")
    for alone, clock in (
        ("noon", "12:00"),
        ("12 noon", "12:00"),
        ("18h30", "18:30"),
        ("midnight", "00:00"),
        ("7 p.m.", "19:00"),
    ):
        assert parse_when_parts(alone) == (None, clock)  # the day came in an earlier answer
    for spoken, parts in (
        ("saturday morning", (5, None)),  # too vague to nudge at: the time is asked next
        ("every monday evening", (0, None)),
        ("7 in the evening", (None, "19:00")),
        ("sat 9 in the morning", (5, "09:00")),
        ("friday at 8 at night", (4, "20:00")),
        ("12 at night", (None, "00:00")),
        ("12 in the afternoon", (None, "12:00")),
        ("19:30 in the evening", (None, "19:30")),
        ("friday 7h in the evening", (4, "19:00")),
        ("thursday evenings", (3, None)),
    ):
        assert parse_when_parts(spoken) == parts, spoken
    assert parse_when_parts("7", "evening") == (None, "19:00")  # after "saturday evening"
    assert parse_when_parts("9:30", "morning") == (None, "09:30")
    assert parse_when_parts("19:30", "evening") == (None, "19:30")
    with pytest.raises(InputError, match="what time in the evening"):
        parse_when_parts("evening")
    assert parse_clock("0000") == "00:00" and parse_clock("12am") == "00:00"
    for bad, message in (("25:00", "00 to 23"), ("24:00", "00 to 23"), ("7:60", "00 to 59")):
        with pytest.raises(InputError, match=message):
            parse_clock(bad)
    with pytest.raises(InputError, match="hours go from 00 to 23") as refused:
        parse_when("25:00")
    assert "Tuesday 19:30" in str(refused.value) and "day of the week" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("Mumbai", "Asia/Kolkata"),
        ("Sydney", "Australia/Sydney"),
        ("UTC", "UTC"),
        ("eastern time", "America/New_York"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("Berlin time", "Europe/Berlin"),
        ("LA", "America/Los_Angeles"),
        ("Eastern Daylight Time", "America/New_York"),
        ("British Summer Time", "Europe/London"),
        ("Central European Time", "Europe/Berlin"),
        ("Japan time", "Asia/Tokyo"),  # the current name, not tzdata's old link "Japan"
        ("Hawaii time", "Pacific/Honolulu"),
        ("Indian Standard Time", "Asia/Kolkata"),  # not Indianapolis
        ("New Zealand time", "Pacific/Auckland"),
    ],
)
def test_time_zones_resolve(text: str, expected: str) -> None:
    assert resolve_timezone(text, NOW).zone == expected


@pytest.mark.parametrize(
    "country", ["US", "U.S.", "usa", "Canada", "Australia", "Mexico", "Indonesia"]
)
def test_a_country_with_several_zones_asks_which(country: str) -> None:
    choice = resolve_timezone(country, NOW)
    assert choice.zone is None and "has several time zones" in choice.message
    assert len(choice.suggestions) >= 3
    if country == "US":  # Arizona keeps standard time all year: its own choice, not Denver's
        assert "America/Phoenix" in choice.suggestions
    assert all(slug_to_zone(zone_to_slug(name)) == name for name in choice.suggestions)


def test_offsets_suggest_places() -> None:
    choice = resolve_timezone("UTC+5:30", NOW)
    assert choice.zone is None and "Asia/Kolkata" in choice.suggestions
    choice = resolve_timezone("GMT-5", NOW)
    assert "America/New_York" in choice.suggestions and "Etc/GMT+5" in choice.suggestions
    assert resolve_timezone("UTC+15", NOW).zone is None
    assert "don't know the time zone" in resolve_timezone("Atlantis", NOW).message
    assert slug_to_zone(zone_to_slug("America/Argentina/Buenos_Aires")) == (
        "America/Argentina/Buenos_Aires"
    )
    assert slug_to_zone("Not.A.Zone") is None


def test_transitions_found_to_the_minute() -> None:
    found = transitions(
        "Europe/Berlin", datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    )
    assert found == [
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
        datetime(2027, 10, 31, 1, 0, tzinfo=UTC),
    ]


def _unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_ics_is_rfc5545_shaped() -> None:
    plan = build_plan(AWS_MLA, date(2026, 11, 24), date(2027, 4, 20))
    first = next_occurrence(1, "19:30", "Europe/Berlin", NOW)
    data = plan_ics(
        plan=plan,
        title="AWS Certified ML Engineer, Associate; MLA-C01",
        weekday=1,
        local_time="19:30",
        tz_name="Europe/Berlin",
        first=first,
        uid_prefix="goal-1",
        now=NOW,
    )
    body = data.decode()
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = _unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    for name in ("VCALENDAR", "VTIMEZONE", "VEVENT", "DAYLIGHT", "STANDARD"):
        assert sum(x == f"BEGIN:{name}" for x in lines) == sum(x == f"END:{name}" for x in lines)
    # Spring forward on 28 March 2027 at 02:00 local (CET), to +0200.
    at = lines.index("DTSTART:20270328T020000")
    assert lines[at + 1 : at + 4] == ["TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST"]
    sessions = [x for x in lines if x.startswith("DTSTART;TZID=Europe/Berlin:")]
    assert len(sessions) == 21 and all(x.endswith("T193000") for x in sessions)
    assert "DTSTART;TZID=Europe/Berlin:20270330T193000" in lines, "after DST, still 19:30"
    assert "DTSTART;VALUE=DATE:20270420" in lines
    assert any("Associate\\; MLA-C01" in x for x in lines), "text is escaped"
    uids = [x for x in lines if x.startswith("UID:")]
    assert len(uids) == len(set(uids)) == 22


def test_ics_for_a_zone_without_dst() -> None:
    plan = build_plan(AWS_MLA, date(2026, 11, 24), None)
    body = plan_ics(
        plan=plan,
        title="t",
        weekday=5,
        local_time="09:00",
        tz_name="Asia/Kolkata",
        first=next_occurrence(5, "09:00", "Asia/Kolkata", NOW),
        uid_prefix="g",
        now=NOW,
    ).decode()
    assert "TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530" in body
    assert body.count("BEGIN:VEVENT") == DEFAULT_WEEKS


def _observances(lines: list[str]) -> list[tuple[datetime, str, str]]:
    """(onset in local time, TZOFFSETFROM, TZOFFSETTO) of every STANDARD/DAYLIGHT part."""
    found, current = [], {}
    for line in lines:
        if line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            current = {}
        elif line in ("END:STANDARD", "END:DAYLIGHT"):
            assert "RRULE" not in current, "every onset is listed, none is repeated"
            onset = datetime.strptime(current["DTSTART"], "%Y%m%dT%H%M%S")
            found.append((onset, current["TZOFFSETFROM"], current["TZOFFSETTO"]))
        elif ":" in line:
            key, value = line.split(":", 1)
            current[key] = value
    return found


def _zoneinfo_offset(local: datetime, tz_name: str) -> str:
    seconds = int(local.replace(tzinfo=ZoneInfo(tz_name)).utcoffset().total_seconds())  # type: ignore[union-attr]
    sign = "+" if seconds >= 0 else "-"
    return f"{sign}{abs(seconds) // 3600:02d}{abs(seconds) % 3600 // 60:02d}"


@pytest.mark.parametrize(
    ("tz_name", "exam"),
    [
        ("Europe/Berlin", date(2027, 6, 30)),  # November to June: the reported case
        ("Europe/Berlin", None),
        ("America/New_York", date(2028, 1, 10)),  # across both changes of 2027
        ("Australia/Sydney", date(2027, 5, 1)),  # southern hemisphere: summer time at the start
        ("Asia/Kolkata", date(2027, 6, 30)),  # no daylight saving
        ("UTC", date(2027, 2, 1)),
    ],
)
def test_ics_vtimezone_defines_every_session_offset(tz_name: str, exam: date | None) -> None:
    """Read the file as a calendar would: for each session, the observance in force at its
    local start time (the latest onset before it) must give zoneinfo's offset for that time."""
    first = next_occurrence(1, "19:30", tz_name, NOW)
    plan = build_plan(AWS_MLA, first.astimezone(ZoneInfo(tz_name)).date(), exam)
    body = plan_ics(
        plan=plan,
        title="t",
        weekday=1,
        local_time="19:30",
        tz_name=tz_name,
        first=first,
        uid_prefix="g",
        now=NOW,
    ).decode()
    lines = _unfold(body)
    block = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]
    assert f"TZID:{tz_name}" in block
    observances = sorted(_observances(block))
    assert observances, "at least one STANDARD or DAYLIGHT part"
    offsets = {to for _, _, to in observances}
    if len(offsets) > 1:
        kinds = {x for x in block if x in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT")}
        assert kinds == {"BEGIN:STANDARD", "BEGIN:DAYLIGHT"}
    prefix = f"DTSTART;TZID={tz_name}:"
    sessions = [
        datetime.strptime(x.removeprefix(prefix), "%Y%m%dT%H%M%S")
        for x in lines
        if x.startswith(prefix)
    ]
    assert sessions and len(sessions) == len(plan.weeks)
    for local in sessions:
        in_force = [o for o in observances if o[0] <= local]
        assert in_force, f"no observance in force on {local} in\n" + "\n".join(block)
        assert in_force[-1][2] == _zoneinfo_offset(local, tz_name), (local, in_force[-1])


def test_ics_vtimezone_for_the_reported_berlin_plan() -> None:
    """Exam on 30 June 2027, sessions from November: winter sessions need the STANDARD part."""
    first = next_occurrence(1, "19:30", "Europe/Berlin", NOW)
    body = plan_ics(
        plan=build_plan(AWS_MLA, date(2026, 11, 24), date(2027, 6, 30)),
        title="t",
        weekday=1,
        local_time="19:30",
        tz_name="Europe/Berlin",
        first=first,
        uid_prefix="g",
        now=NOW,
    ).decode()
    lines = _unfold(body)
    observances = _observances(lines)
    assert (datetime(2026, 10, 25, 3, 0), "+0200", "+0100") in observances
    assert (datetime(2027, 3, 28, 2, 0), "+0100", "+0200") in observances


async def test_a_plan_says_which_exam_guide_it_follows(chat: Chat) -> None:
    """The Google exam in force today follows the June 2026 guide: the card and the calendar
    file both name it, and say what about it is not confirmed."""
    for text in ("/goal", "gcp pmle", "2027-03-20", "Tuesday 19:30", "Europe/Berlin"):
        card = await chat.say(text)
    shown = text_of(card)
    assert "Plan based on the June 2026 exam guide (in force since 1 June 2026)." in shown
    assert "weights are not confirmed" in shown
    await chat.press("Confirm")
    reply = await chat.say("/plan_ics")
    assert reply is not None and reply.document is not None
    body = _unfold(reply.document.data.decode())
    [about] = [line for line in body if line.startswith("X-WR-CALDESC:")]
    assert "June 2026 exam guide" in about


def test_plan_position_is_the_three_answers_a_nudge_asks() -> None:
    """What a weekly nudge computes in one go equals plan_length, week_number and weeks_left:
    days before the start, on it and after; exams before, on and after the day; no exam."""
    base = date(2026, 3, 2)
    for s in range(0, 21, 2):
        start = base + timedelta(days=s)
        for d in range(-15, 400, 3):
            day = base + timedelta(days=d)
            for e in (None, *range(-20, 420, 5)):
                exam = None if e is None else base + timedelta(days=e)
                left = None if exam is None else weeks_left(exam, day)
                want = (plan_length(start, exam), week_number(start, day), left)
                assert plan_position(start, exam, day) == want, (start, exam, day)
