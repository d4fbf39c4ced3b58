"""The pool of every role's units: a question no role narrows is ranked exactly as searching
each role's index in turn would rank it, no role's index is built for it once the pool is
saved, and a saved pool is never used for content it was not built from."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import content.search
from bench.faq_eval import QUESTIONS
from content.loader import Library, load_library
from content.schema import RolePack
from content.search import ContentIndex
from content.understanding.embed import StaticEmbedder
from content.understanding.pool import POOL_NAME
from content.understanding.scope import SPELLING

ROOT = Path(__file__).resolve().parent.parent

MORE_QUESTIONS = [
    "wil ai replase machine lerning engineerz",  # misspelt words, corrected per role
    "databrics certifcation",
    "promt enginering jobs",
    "MLS-C01 vs MLA-C01",  # codes, found in some roles only
    "ai102 and ai-900",
    "what is the certification roadmap",  # a phrasing word for word
    "",
    "?!",
]


def library_with_copies(copies: int) -> Library:
    """The shipped packs and copies of them under other ids (the same units under other roles,
    so many exact ties), each copy's first question changed."""
    real = load_library()
    packs = list(real.packs)
    for i in range(copies):
        data = packs[i % len(real.packs)].model_dump()
        data.update(id=f"copy-{i}", title=f"Copied Role {i}", aliases=[])
        if data.get("faqs"):
            data["faqs"]["items"][0]["question"] += f" in copy {i}"
        packs.append(RolePack.model_validate(data))
    return Library(packs)


@pytest.fixture(scope="module")
def embedder() -> StaticEmbedder:
    return StaticEmbedder.load()


@pytest.fixture(scope="module")
def library() -> Library:
    return library_with_copies(8)


def _questions() -> list[str]:
    asked = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return [q["q"] for q in asked] + MORE_QUESTIONS


def test_the_pool_ranks_like_every_role_searched_in_turn(
    library: Library, embedder: StaticEmbedder
) -> None:
    pooled = ContentIndex(library, embedder=embedder)
    each = ContentIndex(library, embedder=embedder, pooled=False)
    for text in _questions():
        got, wanted = pooled.search(text, limit=5), each.search(text, limit=5)
        assert [h.ref for h in got.hits] == [h.ref for h in wanted.hits], text
        assert got.decision == wanted.decision, text
        for mine, theirs in zip(got.hits, wanted.hits, strict=True):
            assert mine.lexical == theirs.lexical, text  # bit for bit
            assert mine.named == theirs.named, text
            assert abs(mine.dense - theirs.dense) < 1e-6, text


def test_without_vectors_the_pool_ranks_alike(library: Library) -> None:
    pooled = ContentIndex(library, embedder=None)
    each = ContentIndex(library, embedder=None, pooled=False)
    for text in _questions()[::5]:
        got, wanted = pooled.search(text), each.search(text)
        assert [(h.ref, h.score) for h in got.hits] == [(h.ref, h.score) for h in wanted.hits]


def _count_scope_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    built: list[str] = []
    original = content.search.ScopeIndex

    def counting(scope: str, *args: object) -> content.search.ScopeIndex:
        built.append(scope)
        return original(scope, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(content.search, "ScopeIndex", counting)
    return built


def test_a_saved_pool_spares_every_role_index(
    library: Library, embedder: StaticEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ContentIndex(library, embedder=embedder, cache_dir=tmp_path)
    wanted = first.search("how much do they earn")
    assert (tmp_path / POOL_NAME).exists()
    built = _count_scope_builds(monkeypatch)
    again = ContentIndex(library, embedder=embedder, cache_dir=tmp_path)
    got = again.search("how much do they earn")
    assert built == []  # read from the file: nothing embedded, no role's index built
    assert [(h.ref, h.score) for h in got.hits] == [(h.ref, h.score) for h in wanted.hits]
    again.search("how much do they earn", role_id="mle")
    assert built == ["mle"]  # a chosen role still builds its own index, and only it


def test_a_changed_pack_rebuilds_the_saved_pool(
    library: Library, embedder: StaticEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ContentIndex(library, embedder=embedder, cache_dir=tmp_path).pool()
    original = next(p for p in library.packs if p.id.startswith("copy-") and p.faqs)
    data = original.model_dump()
    data["faqs"]["items"][0]["question"] = "Can a lighthouse keeper retrain as a glassblower?"
    pack = RolePack.model_validate(data)
    changed = [pack if p is original else p for p in library.packs]
    assert pack.faqs is not None
    built = _count_scope_builds(monkeypatch)
    index = ContentIndex(Library(changed), embedder=embedder, cache_dir=tmp_path)
    hit = index.search("lighthouse keeper retrain glassblower").hits[0]
    assert hit.ref == f"{pack.id}/faq:{pack.faqs.items[0].id}"
    assert len(built) == len(changed)  # built again from every role...
    built.clear()
    ContentIndex(Library(changed), embedder=embedder, cache_dir=tmp_path).search("salary")
    assert built == []  # ...and saved for the next start


def test_a_damaged_pool_file_is_built_again(
    embedder: StaticEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = load_library()
    (tmp_path / POOL_NAME).write_bytes(b"PK\x03\x04 not a zip at all")
    built = _count_scope_builds(monkeypatch)
    index = ContentIndex(library, embedder=embedder, cache_dir=tmp_path)
    assert index.search("what is the salary").hits[0].unit.key == "salary"
    assert len(built) == len(library.packs)


SNIPPET = """
import json, sys
from content.search import ContentIndex
from tests.test_content_pool import library_with_copies
index = ContentIndex(library_with_copies(3))
print(json.dumps([[(h.ref, h.score) for h in index.search(q).hits]
                  for q in json.loads(sys.stdin.read())]))
"""


def test_pooled_rankings_do_not_depend_on_the_hash_seed() -> None:
    questions = [*MORE_QUESTIONS, "what does an llm engineer earn", "salery", "certs"]
    outputs = set()
    for seed in ("0", "1", "4242"):
        done = subprocess.run(
            [sys.executable, "-c", SNIPPET],
            input=json.dumps(questions),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert np.isfinite([s for hits in json.loads(outputs.pop()) for _, s in hits]).all()


def test_corrections_are_those_difflib_finds_in_the_whole_vocabulary(
    library: Library, embedder: StaticEmbedder
) -> None:
    pool = ContentIndex(library, embedder=embedder).pool()
    vocab = pool._vocab.words
    typed = ["replase", "lerning", "certifcation", "engineerz", "salery", "naïve", "x-ray"]
    typed += [w[:-2] + w[-1] + w[-2] for w in vocab[::7] if len(w) > 4]  # letters swapped
    for word in typed:
        wanted = difflib.get_close_matches(word, vocab, n=len(vocab), cutoff=SPELLING)
        assert pool._vocab.close(word) == wanted, word
