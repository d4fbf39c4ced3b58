"""The question matcher: every unit reachable, codes and role names, off-topic, determinism."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from bench.faq_eval import evaluate, overall
from content.loader import load_library
from content.schema import RolePack
from content.search import ContentIndex
from content.understanding.text import terms
from content.understanding.units import SHARED, Unit

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    return ContentIndex(load_library())


@pytest.fixture(scope="module")
def mle(index: ContentIndex) -> RolePack:
    pack = index.library.get("mle")
    assert pack is not None
    return pack


def test_every_faq_phrasing_returns_its_own_faq(index: ContentIndex, mle: RolePack) -> None:
    assert mle.faqs is not None
    wrong = []
    for faq in mle.faqs.items:
        for phrasing in (faq.question, *faq.also_asked):
            for role_id in ("mle", None):
                top = index.search(phrasing, role_id=role_id).hits[0]
                if top.ref != f"mle/faq:{faq.id}":
                    wrong.append((phrasing, role_id, top.ref))
    assert wrong == []


def test_every_certification_code_returns_its_card(index: ContentIndex, mle: RolePack) -> None:
    assert mle.certifications is not None
    for cert in mle.certifications.items:
        if cert.code is None:
            continue
        squeezed = cert.code.replace("-", "")
        for typed in (cert.code, squeezed, squeezed.lower(), cert.code.replace("-", " ")):
            result = index.search(typed, role_id="mle")
            assert result.hits[0].ref == f"mle/cert:{cert.id}", typed
            assert result.decision == "answer", typed


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("What should ML engineers learn to stay ahead?", "mle/faq:learn"),
        ("How is the ML engineer role evolving?", "mle/faq:evolving"),
        ("how should I prepare for an ML engineer interview", "mle/faq:interview"),
        ("is AI-102 still available?", "mle/cert:ai-102"),
        ("pass mark for AI-103", "mle/cert:ai-103"),
        ("MLS-C01 vs MLA-C01", "mle/cert:aws-mls"),
        ("LLM engineer vs ML engineer", "compare:"),
        ("do I need a PhD", "mle/overview"),
        ("should I learn pytorch or tensorflow?", "mle/faq:learn"),
        ("what is mlops", "mle/overview"),
        ("mlops certification", "mle/cert:dbx-ml-assoc"),
    ],
)
def test_the_questions_from_the_issue_reach_their_card(
    index: ContentIndex, text: str, wanted: str
) -> None:
    """Answered with the right card, or offered it among the three buttons of a close call."""
    result = index.search(text, role_id="mle")
    refs = [hit.ref for hit in result.hits]
    if result.decision == "answer":
        assert wanted in refs[0]
    else:
        assert result.decision == "choose" and any(wanted in ref for ref in refs)


@pytest.mark.parametrize(
    "text", ["test", "São Paulo", "how tall is Everest", "qwzx vbnm", "what's the weather"]
)
def test_off_topic_is_never_answered_with_a_random_card(index: ContentIndex, text: str) -> None:
    assert index.search(text, role_id="mle").decision != "answer"
    assert index.search(text).decision != "answer"


def test_a_question_searches_only_the_roles_that_can_answer(index: ContentIndex) -> None:
    fresh = ContentIndex(index.library, embedder=index.embedder)
    fresh.search("how much do they earn", role_id="mle")
    assert list(fresh._scopes) == ["mle"]
    fresh.search("llm engineer vs ml engineer", role_id="mle")
    assert sorted(fresh._scopes) == ["llm-eng", "mle"]


def test_this_role_compared_with_a_named_one_finds_the_comparison(index: ContentIndex) -> None:
    result = index.search("how does this compare with ml engineering", role_id="ai-eng")
    assert result.hits[0].ref == "ai-eng/compare:mle"


@pytest.mark.parametrize(
    ("text", "role_id", "card"),
    [
        ("microsoft ai engineer exam", "mle", "mle/cert:ai-102"),
        ("azure ai engineer associate", None, "mle/cert:ai-102"),
        ("google professional machine learning engineer exam", "llm-eng", "mle/cert:gcp-pmle"),
    ],
)
def test_a_role_name_inside_a_certification_name_reaches_the_certification(
    index: ContentIndex, text: str, role_id: str | None, card: str
) -> None:
    """ "Azure AI Engineer Associate" is an exam, not a question about AI engineers."""
    result = index.search(text, role_id=role_id)
    assert result.hits[0].ref == card
    assert index.role_in(text) is None


def test_a_role_named_outside_a_certification_name_still_counts(index: ContentIndex) -> None:
    assert index.search("what does an ai engineer do", role_id="mle").roles == ["ai-eng"]


def test_sentences_embedded_together_equal_one_at_a_time(index: ContentIndex) -> None:
    embedder = index.embedder
    assert embedder is not None
    texts = ["hello world", "", "AI-102 exam?", "São Paulo", "what's the salary"]
    together = embedder.embed_many(texts)
    for row, text in enumerate(texts):
        assert np.allclose(together[row], embedder.embed(text), atol=1e-6)


def test_other_modules_register_units_in_a_few_lines(index: ContentIndex) -> None:
    fresh = ContentIndex(index.library, embedder=index.embedder)
    fresh.add_units(
        [
            Unit(
                "occupation:23-2011",
                "occupation",
                SHARED,
                "Paralegals and legal assistants",
                ("paralegal", "legal assistant", "i work as a paralegal"),
                "Published AI exposure figures for paralegals and legal assistants.",
                ("occ", "23-2011"),
            )
        ]
    )
    result = fresh.search("I'm a paralegal", role_id="mle")
    assert result.hits[0].ref == "occupation:23-2011"


SNIPPET = """
import json, sys
from content.loader import load_library
from content.search import ContentIndex
index = ContentIndex(load_library())
results = [index.search(q, role_id=r) for q, r in json.loads(sys.stdin.read())]
print(json.dumps([[r.decision, r.cascaded, [(h.ref, round(h.score, 9)) for h in r.hits]]
                  for r in results]))
"""


def test_rankings_do_not_depend_on_the_hash_seed() -> None:
    questions = [
        ["how is the role changing", "mle"],
        ["ml engineer vs ai engineer", None],
        ["which cert first", "mle"],
        ["aws ml exam", "mle"],
        ["what is an llm engineer", None],
        ["role", None],
        ["typical pay for juniors", "mle"],  # these two are re-scored by the transformer
        ["is the aws exam worth it", None],
    ]
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", SNIPPET],
            input=json.dumps(questions),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert sum(cascaded for _, cascaded, _ in json.loads(outputs.pop())) >= 2


def test_held_out_quality_does_not_regress(index: ContentIndex) -> None:
    """Floors under the figures in bench/RESULTS.md (test split), so a change that hurts fails."""
    tallies = evaluate(index, "test")
    total = overall(tallies)
    assert total.top1 / total.n >= 0.8
    assert total.direct_right / total.direct >= 0.93
    assert tallies["offtopic"].direct == 0


@pytest.mark.parametrize(
    ("text", "role_id"),
    [
        ("mle", "mle"),
        ("Machine Learning Engineer", "mle"),
        ("machine learning eng", "mle"),
        ("machne learning engineer", "mle"),
        ("AI/ML engineer", "mle"),
        ("llm engineer", "llm-eng"),
        ("ai research engineer", "ai-research-eng"),
        ("ml", "mle"),  # a typo of the alias "mle", though three roles' names use "ml"
    ],
)
def test_role_names_resolve_with_aliases_and_typos(
    index: ContentIndex, text: str, role_id: str
) -> None:
    pack = index.resolve_role(text)
    assert pack is not None and pack.id == role_id


@pytest.mark.parametrize("text", ["engineer", "ai", "developer", "eng", "model", "for", "learning"])
def test_a_word_the_role_names_use_is_no_role(index: ContentIndex, text: str) -> None:
    """Words of the names are left to the occupation look-up ("/risk model" is Models)."""
    assert index.resolve_role(text) is None


def test_no_bench_question_is_copied_into_a_pack(index: ContentIndex) -> None:
    """The benchmark stays held out: no example or also-asked phrasing is a bench question
    (names and codes a card carries anyway, such as "MLS-C01", do not count)."""

    def plain(text: str) -> str:
        return " ".join(re.findall(r"[a-z0-9]+", text.lower()))

    written = set()
    for pack in index.library.packs:
        for questions in pack.examples.values():
            written.update(plain(q) for q in questions)
        for faq in pack.faqs.items if pack.faqs else ():
            written.update(plain(q) for q in faq.also_asked)
    bench = yaml.safe_load((ROOT / "bench" / "questions.yaml").read_text(encoding="utf-8"))
    assert [q["q"] for q in bench if plain(q["q"]) in written] == []


@pytest.mark.parametrize("text", ["test", "Testing", "test test", "ping", "you there?"])
def test_checking_the_bot_is_alive_is_not_a_question(index: ContentIndex, text: str) -> None:
    assert index.search(text, role_id="mle").decision == "none"


def test_a_question_using_the_word_test_is_still_searched(index: ContentIndex) -> None:
    result = index.search("how to test ml engineer skills", role_id="mle")
    assert result.hits[0].ref == "mle/faq:evaluate" and result.decision != "none"


@pytest.mark.parametrize(
    "text",
    [
        "How is the ML engineer risk score calculated?",
        "where does the 46 come from",
        "how did you compute the ai risk for mle",
        "explain the risk score calculation",
    ],
)
def test_questions_of_the_merged_score_faq_find_the_method_card(
    index: ContentIndex, text: str
) -> None:
    """The "how is the score calculated" FAQ said what the method card says; it was merged into
    the card, and its phrasings came with it."""
    assert index.search(text, role_id="mle").hits[0].ref == "mle/method"


def test_a_contraction_typed_without_its_apostrophe_is_still_a_stopword() -> None:
    assert terms("whats the salary") == terms("what's the salary") == ["salary"]
    assert terms("dont know, isnt it the plan") == ["plan"]
