"""Tests of the role packs shipped in content/roles: what a user of the bot would notice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from content.loader import DEFAULT_ROLES_DIR, Library, load_library
from content.schema import (
    OPTIONAL_SECTIONS,
    SECTION_TITLES,
    RolePack,
    risk_score,
    slug_words,
)
from domain.risk import risk_level

SOURCES_DIR = Path(__file__).resolve().parents[2] / "shared" / "sources"
ADJACENT_IDS = ("ai-eng", "llm-eng", "ai-research-eng", "ai-data-eng", "ai-app-eng")
NGRAM = 8


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.fixture(scope="module")
def mle(library: Library) -> RolePack:
    pack = library.get("mle")
    assert pack is not None, "the Machine Learning Engineer pack is missing"
    return pack


def test_library_loads_with_all_six_packs(library: Library) -> None:
    assert {p.id for p in library.packs} == {"mle", *ADJACENT_IDS}
    assert library.default.id == "mle"


@pytest.mark.parametrize(
    "name",
    [
        "ML engineer",
        "mle",
        "machine learning eng",
        "ml eng",
        "AI/ML engineer",
        "ai ml engineer",
        "machine-learning engineer",
        "Machine Learning Engineer",
    ],
)
def test_common_names_find_the_mle_pack(library: Library, name: str) -> None:
    assert library.names[slug_words(name)] == "mle"


def test_ai_engineer_is_not_an_mle_alias(library: Library) -> None:
    assert library.names["ai engineer"] == "ai-eng"


def test_mle_has_every_section(mle: RolePack) -> None:
    assert mle.missing_sections() == []
    for name in OPTIONAL_SECTIONS:
        section = getattr(mle, name)
        assert section is not None, name
        assert str(section.reviewed) == "2026-11-24", name
    assert str(mle.reviewed) == "2026-11-24"


def test_risk_score_follows_formula_and_band(mle: RolePack) -> None:
    risk = mle.risk
    assert risk is not None
    assert risk.score == risk_score(risk.factors)
    assert risk.level == risk_level(risk.score)
    assert "estimate" in risk.derivation.lower()
    assert "no numbers" in risk.derivation.lower()
    assert 4 <= len(risk.published_measures) <= 6
    for measure in risk.published_measures:
        assert measure.meaning and measure.source


def test_tasks_tools_and_protection(mle: RolePack) -> None:
    assert mle.tasks_at_risk is not None and len(mle.tasks_at_risk.items) == 5
    assert mle.ai_tools is not None
    assert [t.name for t in mle.ai_tools.items] == ["Weights & Biases", "MLflow", "Ray"]
    assert mle.protection is not None
    assert len(mle.protection.skills) == 5
    assert len(mle.protection.migration_paths) == 3
    assert 3 <= len(mle.protection.tools_to_master) <= 5
    assert not any("our pick" in t.why.lower() for t in mle.protection.tools_to_master)


def test_faqs_cover_source_questions_with_paraphrases(mle: RolePack) -> None:
    assert mle.faqs is not None
    items = mle.faqs.items
    assert len(items) >= 10
    ids = {f.id for f in items}
    expected = {
        "replace",
        "learn",
        "evolving",
        "career",
        "automl",
        "vs-ai-eng",
        "only-llm",
        "evaluate",
        "interview",
        "features",
        "monitoring",
    }
    assert expected <= ids
    seen: set[str] = set()
    for faq in items:
        assert len(faq.also_asked) >= 4, faq.id
        variants = [faq.question, *faq.also_asked]
        normalised = {" ".join(re.findall(r"[a-z0-9]+", v.lower())) for v in variants}
        assert len(normalised) == len(variants), f"{faq.id} repeats a paraphrase"
        assert not normalised & seen, f"{faq.id} shares a paraphrase with another FAQ"
        seen |= normalised
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", faq.answer) if s.strip()]
        assert 2 <= len(sentences) <= 5, f"{faq.id} answer has {len(sentences)} sentences"


def test_lists_from_sources_are_complete(mle: RolePack) -> None:
    assert mle.responsibilities is not None and len(mle.responsibilities.items) == 7
    assert mle.activities is not None and len(mle.activities.items) == 10
    assert mle.lifecycle is not None and len(mle.lifecycle.stages) == 5
    assert mle.hiring_table is not None and len(mle.hiring_table.rows) == 4
    assert mle.day_in_the_life is not None
    times = [m.time for m in mle.day_in_the_life.items]
    assert times == ["8:30", "10:00", "12:30", "14:00", "16:00", "16:45"]
    day = " ".join(m.activity for m in mle.day_in_the_life.items)
    for figure in ("94.2%", "91.8%", "80 ms", "340 ms", "0.68", "0.82", "0.79"):
        assert figure in day, figure


def test_roadmap_has_seven_steps_in_order(mle: RolePack) -> None:
    assert mle.certifications is not None
    steps = [c.step for c in mle.certifications.roadmap()]
    assert steps == [1, 2, 3, 4, 5, 6, 7]


def test_dead_certs_point_to_a_live_successor_or_say_there_is_none(mle: RolePack) -> None:
    certs = mle.certifications
    assert certs is not None
    for cert in certs.items:
        if cert.is_open:
            continue
        if cert.successor is not None:
            successor = certs.get(cert.successor)
            assert successor is not None and successor.goal_ready, cert.id
        else:
            assert any(
                re.search(r"\bno (direct )?successor\b", fact.lower()) for fact in cert.facts
            ), f"{cert.id} is {cert.status} but neither names a successor nor says there is none"


def test_active_certs_have_domains_summing_to_100(mle: RolePack) -> None:
    """Every named, open exam can be a goal; only the unnamed first step has no outline."""
    assert mle.certifications is not None
    for cert in mle.certifications.items:
        if cert.status != "active":
            continue
        if cert.code is None and cert.provider == "Several providers":
            assert not cert.goal_ready
            continue
        assert cert.domains, f"{cert.id} is active but has no exam domains for a study plan"
        total = sum(d.weight for d in cert.domains)
        assert abs(total - 100) <= 1, f"{cert.id} domains sum to {total}"


def test_statuses_as_of_review_date(mle: RolePack) -> None:
    assert mle.certifications is not None
    status = {c.id: c.status for c in mle.certifications.items}
    assert status["ai-900"] == "retired"
    assert status["ai-102"] == "retired"
    assert status["aws-mls"] == "retired"
    assert status["tf-dev"] == "closed"
    for cert in mle.certifications.items:
        if cert.status_date is not None and cert.status in ("retired", "closed"):
            assert str(cert.status_date) <= "2026-11-24", cert.id


def test_salary_has_no_invented_figures(mle: RolePack) -> None:
    assert mle.salary is not None
    text = " ".join([*mle.salary.facts, mle.salary.note])
    figures = set(re.findall(r"\$\s?\d[\d,.]*K?\+?", text))
    assert figures <= {"$150,000", "$300,000"}


def test_adjacent_packs_report_missing_sections(library: Library) -> None:
    for role_id in ADJACENT_IDS:
        pack = library.get(role_id)
        assert pack is not None, role_id
        assert pack.risk is None and pack.certifications is None and pack.faqs is None
        assert pack.adjacent_roles is not None
        assert [a.role for a in pack.adjacent_roles.items] == ["mle"]
        missing = pack.missing_sections()
        assert SECTION_TITLES["risk"] in missing
        assert SECTION_TITLES["adjacent_roles"] not in missing
        assert len(missing) >= len(OPTIONAL_SECTIONS) - 2


def test_mle_compares_with_each_adjacent_role(mle: RolePack) -> None:
    assert mle.adjacent_roles is not None
    assert [a.role for a in mle.adjacent_roles.items] == list(ADJACENT_IDS)


# --- no copied sentences -------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _ngrams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_no_sentence_copied_from_sources() -> None:
    if not SOURCES_DIR.is_dir():
        pytest.skip(f"source texts not found at {SOURCES_DIR}")
    source_grams: set[tuple[str, ...]] = set()
    for path in sorted(SOURCES_DIR.glob("*.txt")):
        source_grams |= _ngrams(_words(path.read_text(encoding="utf-8")))
    assert source_grams, "no source texts to compare against"
    copied: list[str] = []
    for path in sorted(DEFAULT_ROLES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for text in _strings(data):
            for gram in _ngrams(_words(text)) & source_grams:
                copied.append(f"{path.name}: {' '.join(gram)!r} in {text[:60]!r}")
    assert not copied, "text copied from the sources:\n" + "\n".join(sorted(set(copied)))
