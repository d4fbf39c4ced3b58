"""Is another embedding table better? Dev figures and held-out pack phrasings for a table folder.

For a folder written by tools/build_embeddings.py (``--out``), with the matcher's code and
thresholds as they are: the dev half's figures (never the test half: choose on these, then read
the test figure once), dev top-1 at several fusion weights (ranking only; 100 is the cosine
alone), and the packs' own phrasings each asked against an index without it, fused and by the
cosine alone. Issue 10, third pass: see bench/RESULTS.md.

    .venv/bin/python -m bench.embed_probe content/understanding/model /tmp/table-own [...]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import content.search as search
from bench.faq_eval import evaluate, load_questions, overall
from content.loader import Library, load_library
from content.search import ContentIndex
from content.understanding.embed import StaticEmbedder
from content.understanding.smalltalk import small_talk

WEIGHTS = (0.75, 1.0, 1.25, 1.5, 2.0, 100.0)


def held_out(library: Library, embedder: StaticEmbedder) -> float:
    """Share of the packs' phrasings (not a unit's own name) whose unit ranks first when the
    phrasing is asked, role chosen, against an index built without it."""
    asked = right = 0
    for index, question, role, ref in held_out_cases(library, embedder):
        hits = index.search(question, role_id=role).hits
        asked += 1
        right += bool(hits) and hits[0].ref == ref
    return right / asked


def held_out_cases(
    library: Library, embedder: StaticEmbedder
) -> Iterator[tuple[ContentIndex, str, str, str]]:
    """Each pack phrasing with an index built without it: (index, phrasing, role, unit ref),
    always in the same order, so two embedders' cases can be walked side by side."""
    base = ContentIndex(library, embedder=embedder, pooled=False)
    for pack in library.packs:
        units = base._units_of(pack.id)
        for u, unit in enumerate(units):
            for j in range(1, len(unit.questions)):
                kept = unit.questions[:j] + unit.questions[j + 1 :]
                if unit.questions[j] in kept:
                    continue
                held = [*units[:u], dataclasses.replace(unit, questions=kept), *units[u + 1 :]]
                index = ContentIndex(library, embedder=embedder, pooled=False)
                index._units_of = lambda s, held=held, p=pack.id: (  # type: ignore[method-assign]
                    held if s == p else base._units_of(s)
                )
                yield index, unit.questions[j], pack.id, unit.ref


def probe(library: Library, folder: Path) -> None:
    started = time.perf_counter()
    embedder = StaticEmbedder.load(folder)
    loaded = time.perf_counter() - started
    tallies = evaluate(ContentIndex(library, embedder=embedder), "dev")
    total, off = overall(tallies), tallies["offtopic"]
    precision = total.direct_right / total.direct if total.direct else 1.0
    print(
        f"{folder}: {len(embedder.vectors)} x {embedder.dims}, load {loaded:.3f} s; dev top-1 "
        f"{total.top1 / total.n:.3f} MRR@3 {total.rr / total.n:.3f} direct "
        f"{total.direct / total.n:.2f} precision {precision:.3f} right card seen "
        f"{total.seen / total.n:.3f}; off-topic answered {off.direct}, offered buttons {off.choose}"
    )
    items = [
        q
        for q in load_questions("dev")
        if q["kind"] not in ("offtopic", "smalltalk") and small_talk(q["q"]) is None
    ]
    index = ContentIndex(library, embedder=embedder)
    kept = search.DENSE_WEIGHT
    row = []
    try:
        for weight in WEIGHTS:
            search.DENSE_WEIGHT = weight
            found = [
                index.search(q["q"], role_id=q["role"]).hits[0].ref in q["gold"] for q in items
            ]
            row.append(f"{weight:g}: {sum(found) / len(found):.3f}")
        print(f"  dev top-1 by fusion weight  {'  '.join(row)}")
        search.DENSE_WEIGHT = kept
        fused = held_out(library, embedder)
        search.DENSE_WEIGHT = 100.0
        dense = held_out(library, embedder)
    finally:
        search.DENSE_WEIGHT = kept
    print(f"  held-out phrasings top-1: fused {fused:.3f}, cosine alone {dense:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", type=Path, nargs="+")
    args = parser.parse_args()
    library = load_library()
    for folder in args.folders:
        probe(library, folder)


if __name__ == "__main__":
    main()
