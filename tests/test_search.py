"""Free-text retrieval quality on held-out questions, and role-name resolution."""

from __future__ import annotations

import pytest

from bench.faq_eval import evaluate
from content.loader import load_library
from content.search import ContentIndex


@pytest.fixture(scope="module")
def index() -> ContentIndex:
    return ContentIndex(load_library())


def test_held_out_questions_find_their_answer(index: ContentIndex) -> None:
    """A floor under the measured quality (bench/RESULTS.md), so a change that hurts it fails."""
    result = evaluate(index)
    assert result.hit3 >= 0.85
    assert result.mrr >= 0.78
    assert result.confident_right / result.confident >= 0.8


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
    ],
)
def test_role_names_resolve_with_aliases_and_typos(
    index: ContentIndex, text: str, role_id: str
) -> None:
    pack = index.resolve_role(text)
    assert pack is not None and pack.id == role_id


def test_a_question_naming_two_roles_is_scoped_to_the_one_with_answers(
    index: ContentIndex,
) -> None:
    result = index.search("what is the difference between an ml engineer and an ai engineer")
    assert result.role is not None and result.role.id == "mle"
    assert result.hits[0].ref == "vs-ai-eng"
