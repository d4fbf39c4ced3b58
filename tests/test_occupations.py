"""Every occupation: the shipped data, its validation, lookup, the card and the hooks into
/risk, /roles and free text."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.app import CareerBot
from bot.cli import app as cli_app
from bot.clock import ManualClock
from bot.context import Context
from bot.messages import Inbound
from content.loader import DEFAULT_ROLES_DIR, ContentError, load_library
from content.occupations import MEASURES, OccupationIndex, load_occupations
from content.occupations.build import DEFAULT_SOURCE, SHIPPED, build
from content.occupations.data import ALIASES_FILE, DATA_FILE
from content.occupations.lookup import Found
from content.occupations.mention import jobs_asked
from domain.risk import RISK_NAME
from handlers.occupations import nearby_lines, occupation_in_text
from tests.conftest import Chat, RecordingPlatform, settings_for, text_of

PACK_IDS = {pack.id for pack in load_library().packs}
DATA = load_occupations(pack_ids=PACK_IDS)
INDEX = OccupationIndex(DATA)


def test_rebuilt_data_equals_shipped_data() -> None:
    if not DEFAULT_SOURCE.is_dir():
        pytest.skip(f"the published files are not here ({DEFAULT_SOURCE}); CI has them")
    text, _notes = build(DEFAULT_SOURCE)
    assert text == SHIPPED.read_text(encoding="utf-8")


def test_shipped_data_covers_every_soc_occupation_once() -> None:
    codes = [o.soc for o in DATA.occupations]
    assert len(codes) == len(set(codes)) > 800
    for measure in MEASURES:
        covered = [o for o in DATA.occupations if o.figure(measure.key).value is not None]
        assert len(covered) > 650, measure.key
        values = [o.figure(measure.key).value or 0.0 for o in covered]
        for occ in covered[::50]:
            figure = occ.figure(measure.key)
            lower = sum(1 for v in values if v < (figure.value or 0.0))
            assert figure.percentile == round(100 * lower / len(values))
            assert figure.out_of == len(values)
        assert min(o.figure(measure.key).percentile or 0 for o in covered) == 0


def _broken(tmp_path: Path, rows: list[str], aliases: str = "") -> list[str]:
    header = DATA_FILE.read_text(encoding="utf-8").splitlines()[0]
    data = tmp_path / "occupations.csv"
    data.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    alias_file = tmp_path / "aliases.yaml"
    alias_file.write_text(aliases, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_occupations(data, alias_file, pack_ids={"mle"})
    return [str(p) for p in caught.value.problems]


def test_validation_reports_bad_codes_ranges_duplicates_and_dangling_aliases(
    tmp_path: Path,
) -> None:
    problems = _broken(
        tmp_path,
        [
            "11-1011,Chief Executives,0.46,0.35,,0.15,,1.33,,0.015,,CEO",
            "11-1011,Chief Executives again,0.46,0.35,,0.15,,1.33,,0.015,,",
            "11-10x1,Bad code,,,,,,,,,,",
            "11-2011,Too exposed,1.7,0.35,,0.15,,1.33,,0.015,,",
            "11-2021,Negative chance,0.4,0.35,,0.15,,1.33,,-0.2,,",
            "11-2022,Bad source code,0.4,0.35,,0.15,,1.33,,0.2,nonsense,",
        ],
        "aliases:\n  99-9999: [ghost]\npacks:\n  nope: [11-1011]\nfiled_under:\n  mle: [99-9999]\n",
    )
    text = "\n".join(problems)
    assert "line 3: duplicate SOC code 11-1011" in text
    assert "line 4: bad SOC code '11-10x1'" in text
    assert "line 5.eloundou_gpt4: 1.7 is outside 0.0–1.0" in text
    assert "line 6.frey: -0.2 is outside 0.0–1.0" in text
    assert "line 7.frey_from: bad codes ['nonsense']" in text
    assert "aliases.99-9999: no occupation with this code" in text
    assert "packs.nope: no role pack with this id" in text
    assert "filed_under.mle: unknown codes ['99-9999']" in text


def test_content_check_validates_the_occupations_too(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "check"], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert f"{len(DATA.occupations)} occupations valid" in ok.stdout


@pytest.mark.parametrize(
    ("typed", "soc"),
    [
        ("Registered Nurses", "29-1141"),  # official title
        ("paralegal", "23-2011"),  # reported title
        ("Certified Public Accountant", "13-2011"),  # reported title
        ("CPA", "13-2011"),  # the short form in brackets
        ("HGV driver", "53-3032"),  # alias
        ("solicitor", "23-1011"),  # alias
        ("acountant", "13-2011"),  # typo
        ("paralegel", "23-2011"),  # typo
        ("15-1252", "15-1252"),  # code
        ("15-1252.00", "15-1252"),  # O*NET code
        ("151252", "15-1252"),  # code without the dash
        ("Accountants", "13-2011"),  # plural
    ],
)
def test_lookup_finds_one_occupation(typed: str, soc: str) -> None:
    found = INDEX.find(typed)
    assert found.kind == "one", found
    assert found.occupations[0].soc == soc


def test_lookup_offers_nothing_for_nonsense_around_a_frame_word() -> None:
    # "role" once folded into "hole" and offered Blast Hole Drillers as the closest.
    assert INDEX.find("nonsense-role-xyz") == INDEX.find("nonsense xyz")
    assert INDEX.find("nonsense-role-xyz").matches == ()
    assert INDEX.find("the nurse role").occupations[0].soc == "29-1141"
    assert INDEX.find("rold").kind == "none"  # four letters: no typo folding
    # Words that name no job on their own find nothing ("is my job safe" once found Job Coach).
    for generic in ("my job", "jobs", "my career", "the work", "profession"):
        assert INDEX.find(generic) == Found("none", ()), generic
    assert INDEX.find("job coach").occupations[0].soc == "21-1015"
    # A frame word a name does use stays: "examiner" alone is several occupations.
    assert INDEX.find("title examiner").occupations[0].soc == "23-2093"
    assert INDEX.find("examiner").kind == "many"


def test_lookup_ambiguous_many_and_unknown() -> None:
    few = INDEX.find("truck driver")
    assert few.kind == "few"
    assert {o.soc for o in few.occupations} == {"53-3032", "53-3033"}
    many = INDEX.find("manager")
    assert many.kind == "many" and many.total > 20 and len(many.matches) == 3
    assert INDEX.find("xyzzy qwerty").kind == "none"
    assert INDEX.find("").kind == "none"
    unknown_code = INDEX.find("15-9999")
    assert unknown_code.kind == "none"
    assert all(o.soc.startswith("15-") for o in unknown_code.occupations)


def test_autocomplete_offers_titles_reported_titles_and_aliases() -> None:
    offered = INDEX.complete("paraleg")
    assert ("Paralegal → Paralegals and Legal Assistants", "Paralegal") in offered
    assert INDEX.complete("hgv")[0] == (
        "hgv driver → Heavy and Tractor-Trailer Truck Drivers",
        "hgv driver",
    )
    assert len(INDEX.complete("a")) == 25
    assert INDEX.complete("acountant")[0][1] == "Accountants and Auditors"


async def test_risk_card_shows_every_measure_with_its_source(chat: Chat) -> None:
    shown = text_of(await chat.say("/risk paralegal"))
    assert "Paralegals and Legal Assistants (SOC 23-2011)" in shown
    for measure in MEASURES:
        assert f"{measure.name} — {measure.study}, {measure.year}" in shown
        assert measure.meaning in shown
    assert "Higher than" in shown and "occupations measured" in shown
    assert "Exposure is not replacement" in shown
    assert "More exposed:" in shown and "Less exposed:" in shown
    assert "O*NET® is a trademark of USDOL/ETA" in shown and "CC BY 4.0" in shown
    assert "Check my own risk" in shown


def test_nearby_jobs_never_read_as_equal_but_more_exposed() -> None:
    """Over every occupation with neighbours: a neighbour called more or less exposed shows a
    figure that reads differently from this job's own, and it is on the side it is said to be
    (registered nurses and orthopedic surgeons are both 33%; chief executives 48.08% and
    financial managers 48.15% once read 48.1% and 48.1%)."""
    checked = 0
    for occ in DATA.occupations:
        more, less = DATA.nearby(occ)
        if not more and not less:
            continue
        heading, bullets = nearby_lines(occ, more + less)
        own = occ.figure("eloundou")
        mine = heading.rsplit("(this job: ", 1)[1][:-1] if "this job" in heading else own.text
        for line, other in zip(bullets, more + less, strict=True):
            side, shown = line.split(": ", 1)[0], line.rsplit("(", 1)[1][:-1]
            value = other.figure("eloundou").value or 0.0
            if side == "About as exposed":
                assert shown == mine, line
            else:
                assert shown != mine, (occ.soc, line)
                assert (side == "More exposed") == (value > (own.value or 0.0)), (occ.soc, line)
            checked += 1
    assert checked > 2500


async def test_the_nurse_card_says_about_as_exposed(chat: Chat) -> None:
    shown = text_of(await chat.say("/risk registered nurse"))
    assert "(this job: 33%)" in shown
    assert "About as exposed: Orthopedic Surgeons, Except Pediatric (33%)" in shown


async def test_a_missing_measure_is_said_to_be_missing(chat: Chat) -> None:
    reply = await chat.say("/risk data scientist")
    shown = text_of(reply)
    occ = DATA.get("15-2051")
    assert occ is not None and occ.absent
    assert "No figure" in shown
    for figure in occ.absent:
        assert f"{figure.measure.study} ({figure.measure.year})" in shown
    # A role pack stands beside this occupation: the card links to its sections.
    assert reply is not None
    actions = [b.action for b in reply.all_buttons()]
    assert {"v1:tasks:mle", "v1:plan:mle", "v1:certs:mle"} <= set(actions)


@pytest.mark.parametrize(
    ("text", "soc"),
    [
        ("I'm a paralegal", "23-2011"),
        ("what about accountants?", "13-2011"),
        ("risk for HGV driver", "53-3032"),
        ("I work as a registered nurse", "29-1141"),
        ("plumber", "47-2152"),
    ],
)
async def test_free_text_naming_a_job_gets_its_card(chat: Chat, text: str, soc: str) -> None:
    assert f"(SOC {soc})" in text_of(await chat.say(text))


async def test_role_packs_win_over_occupations(chat: Chat) -> None:
    assert f"{RISK_NAME} score: Machine Learning Engineer" in text_of(
        await chat.say("/risk ml engineer")
    )
    faq = text_of(await chat.say("will AI replace ML engineers?"))
    assert "SOC" not in faq
    chosen = text_of(await chat.say("/roles llm engineer"))
    assert "your role is now LLM Engineer" in chosen


async def test_roles_with_an_occupation_shows_its_card(chat: Chat) -> None:
    shown = text_of(await chat.say("/roles accountant"))
    assert "Accountants and Auditors (SOC 13-2011)" in shown
    user = chat.bot.services.users
    stored = await user.get("test", "u1")
    assert stored is not None and stored.role_id is None, "an occupation is not a role pack"


async def test_ambiguous_many_and_unknown_replies(chat: Chat) -> None:
    few = await chat.say("/risk truck driver")
    assert "fits more than one occupation" in text_of(few)
    assert few is not None and len(few.all_buttons()) == 2
    picked = await chat.press("Light Truck Drivers")
    assert "(SOC 53-3033)" in text_of(picked)
    many = text_of(await chat.say("/risk manager"))
    assert "fits" in many and "Add a word or two" in many
    none = text_of(await chat.say("/risk blorptastic"))
    assert "don't know a role or occupation called “blorptastic”" in none
    closest = text_of(await chat.say("/risk engineer of spaceships"))
    assert "The closest I have" in closest


async def test_a_word_in_role_names_offers_those_guides_first(chat: Chat) -> None:
    ai = await chat.say("/risk ai")
    assert ai is not None and "Animal Breeders" not in text_of(ai)  # "AI technician"
    assert [b.label for b in ai.all_buttons()] == [
        "AI Application Engineer",
        "AI Data Engineer",
        "AI Engineer",
        "AI Research Engineer",
    ]
    assert "AI Engineer" in text_of(await chat.press("AI Engineer"))
    assert "(SOC 15-1221)" in text_of(await chat.say("/risk ai researcher"))


async def test_bad_occupation_input_gets_a_short_answer(chat: Chat) -> None:
    huge = "x" * 990
    reply = text_of(await chat.say(f"/risk {huge}"))
    assert len(reply) < 400 and "x" * 61 not in reply
    assert "role or occupation called" in text_of(await chat.say("/risk 99-0000"))
    stale = text_of(await chat.press("v1:occ:99-0000"))
    assert "this menu has expired" in stale.lower()


async def test_ml_engineer_method_page_sits_beside_its_neighbours(chat: Chat) -> None:
    await chat.say("/risk mle")
    shown = text_of(await chat.press("How is this computed?"))
    assert "Published figures for the neighbouring occupations" in shown
    for soc in ("15-2051", "15-1252", "15-1221"):
        assert f"({soc})" in shown
    software = DATA.get("15-1252")
    assert software is not None and software.figure("eloundou").text in shown


def test_nearby_occupations_are_more_and_less_exposed() -> None:
    occ = DATA.get("13-2011")
    assert occ is not None
    more, less = DATA.nearby(occ)
    value = occ.figure("eloundou").value or 0.0
    assert more and less
    assert all((o.figure("eloundou").value or 0.0) >= value for o in more)
    assert all((o.figure("eloundou").value or 0.0) <= value for o in less)


def test_aliases_file_is_the_shipped_one() -> None:
    # The tests above rely on the shipped aliases; a copy elsewhere must validate the same way.
    assert ALIASES_FILE.exists()
    shutil.copy(ALIASES_FILE, ALIASES_FILE.with_suffix(".copy-check"))
    try:
        load_occupations(aliases_file=ALIASES_FILE.with_suffix(".copy-check"), pack_ids=PACK_IDS)
    finally:
        ALIASES_FILE.with_suffix(".copy-check").unlink()


@pytest.mark.parametrize(
    "text",
    ["is a truck driver safe?", "what about teachers?", "I work as a cashier"],
)
async def test_free_text_naming_an_ambiguous_job_offers_choices(chat: Chat, text: str) -> None:
    reply = await chat.say(text)
    assert reply is not None and 2 <= len(reply.all_buttons()) <= 3
    assert all(b.action.startswith("v1:occ:") for b in reply.all_buttons())


async def test_a_short_role_name_is_the_role_and_a_job_word_is_the_job(chat: Chat) -> None:
    assert "LLM Engineer" in text_of(await chat.say("/risk llm"))
    assert "Models" in text_of(await chat.say("/risk model"))  # a job, not the LLM role
    assert "job title you would put on a CV" in text_of(await chat.say("/risk influencer"))
    assert "your role is now LLM Engineer" in text_of(await chat.say("/roles llm"))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Hi, I am a graphic designer and I am worried about AI", "(SOC 27-1024)"),
        ("should translators worry about AI", "(SOC 27-3091)"),
        ("what is the future of radiologists with AI", "(SOC 29-1224)"),
        ("will AI take accountants' jobs?", "(SOC 13-2011)"),
        ("I am a teacher, is my job safe?", "“teacher” fits"),
        ("how exposed are truck drivers to AI", "Light Truck Drivers"),
        ("I work as a marketing manager. Will AI replace me?", "(SOC 11-2021)"),
        ("I’m a paralegal, is my job safe?", "(SOC 23-2011)"),
        ("what about nurses and doctors", "(SOC 29-1141)"),
        ("I'm a paralegal and legal assistant", "(SOC 23-2011)"),
    ],
)
async def test_a_job_named_inside_a_question_is_found(chat: Chat, text: str, shown: str) -> None:
    assert shown in text_of(await chat.say(text))


@pytest.mark.parametrize(
    "text",
    [
        "im new, which certification first?",
        "I'm confused, is it worth it?",
        "how safe is my job",
        "my job is at risk, what can I do?",
        "my job is boring, should I switch?",
        "I work in tech, should I learn ML?",
        "will AI take over?",
        "will AI take all the jobs",
        "is AI a good career",
        "what is the future of tech",
    ],
)
def test_words_that_name_no_job_are_left_to_the_search(text: str) -> None:
    assert jobs_asked(text) == []


@pytest.mark.parametrize("text", ["is my job safe", "is my career safe?", "what about my work?"])
async def test_free_text_about_ones_own_job_is_a_question_not_a_job_title(
    bot: CareerBot, text: str
) -> None:
    # "is my job safe" once answered with the card of Rehabilitation Counselors ("Job Coach").
    inbound = Inbound("test", "u", "u", text=text)
    assert occupation_in_text(Context(inbound, bot.services, RecordingPlatform())) is None


async def test_free_text_questions_are_not_taken_for_job_titles(bot: CareerBot) -> None:
    """Every question of the question-matching benchmark still goes to the search."""
    questions = yaml.safe_load((Path(__file__).parents[1] / "bench" / "questions.yaml").read_text())
    taken = [
        q["q"]
        for q in questions
        if occupation_in_text(
            Context(Inbound("test", "u", "u", text=q["q"]), bot.services, RecordingPlatform())
        )
        is not None
    ]
    assert taken == []


async def test_a_roles_folder_without_the_shipped_short_packs_starts(
    tmp_path: Path, clock: ManualClock
) -> None:
    """aliases.yaml links short packs (filed_under) a folder of one's own may not have: the bot
    starts without those links, and the content check of that folder passes."""
    roles = tmp_path / "roles"
    roles.mkdir()
    pack = yaml.safe_load((DEFAULT_ROLES_DIR / "machine-learning-engineer.yaml").read_text())
    pack.pop("adjacent_roles")  # it names the short packs, which this folder does not have
    pack["examples"] = {k: v for k, v in pack["examples"].items() if not k.startswith("compare:")}
    (roles / "mle.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True))
    app = CareerBot(settings_for(tmp_path), clock=clock, roles_dir=roles)
    await app.start()
    try:
        assert app.services.occupations.aliases.filed_under == {}
        chat = Chat(app, RecordingPlatform())
        assert "(SOC 13-2011)" in text_of(await chat.say("/risk accountant"))
    finally:
        await app.stop()
    checked = CliRunner().invoke(cli_app, ["content", "check", "--dir", str(roles)])
    assert checked.exit_code == 0, checked.output
    with pytest.raises(ContentError, match=r"filed_under\.llm-eng"):
        load_occupations(pack_ids={"mle"})  # the shipped packs are checked strictly
