"""The search index of one scope (one role pack's units, or the shared ones).

Each scope keeps its own postings, term statistics and vectors, so a question about one role
never walks another role's postings, and adding packs does not slow a question down.
Lexical scores are BM25 over each unit's phrasings (its best two count); dense scores are the
cosine between the question's vector and each phrasing's. Both are per unit, in unit order.
Each posting carries its BM25 contribution, computed once here: a question only adds them up,
and the pool of every scope (pool.py) reuses the very same numbers.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from content.understanding.embed import StaticEmbedder
from content.understanding.text import Markers, compact, fold, terms
from content.understanding.units import Unit

K1, B = 1.2, 0.75
CONTENT_WEIGHT = 0.5
"""A unit's own content counts for less than the ways people ask for it."""
CONTENT_DENSE_WEIGHT = 0.8
MIN_CEILING = 1.0
"""The best score a question could reach is taken as at least this many of the rarest word's:
one word in common ("test") is never a full match."""
SPELLING = 0.8
"""How alike (difflib's ratio) a misspelt word and a known one must be."""
EXACT_BONUS = 0.5
"""Added to a unit the question names outright (see :meth:`ScopeIndex.exact`)."""
CENTROID_WEIGHT = 0.75
"""The dense score blends the best single phrasing with the mean of all of a unit's phrasings
(mostly the mean: a unit with many phrasings would otherwise win by having more chances)."""
SECOND_WEIGHT = 0.5
"""Likewise the lexical score blends a unit's best phrasing with its second best."""


class ScopeIndex:
    def __init__(
        self, scope: str, units: list[Unit], markers: Markers, embedder: StaticEmbedder | None
    ) -> None:
        self.scope = scope
        self.units = units
        self._own = f"@{scope}" if scope else None
        self.codes = [
            (c, i)
            for i, unit in enumerate(units)
            if unit.kind == "cert"
            for c in dict.fromkeys(compact(code) for code in unit.codes)
            if len(c) >= 4
        ]
        self.phrases: dict[str, int] = {}
        for i, unit in enumerate(units):
            for q in unit.questions:
                self.phrases.setdefault(plain(q), i)
        view_unit: list[int] = []
        view_terms: list[Counter[str]] = []
        view_weight: list[float] = []
        for i, unit in enumerate(units):
            texts = [(q, 1.0) for q in unit.questions] + [(unit.text, CONTENT_WEIGHT)]
            for text, weight in texts:
                found = Counter(self._terms(markers.mark(text)))
                if found:
                    view_unit.append(i)
                    view_terms.append(found)
                    view_weight.append(weight)
            for code in unit.codes:
                view_unit.append(i)
                view_terms.append(Counter({f"#{compact(code)}": 1}))
                view_weight.append(1.0)
        self.view_unit = view_unit
        self.view_weight = view_weight
        self._view_unit = np.array(view_unit, dtype=np.intp)
        self._view_weight = np.array(view_weight, dtype=np.float64)
        df: Counter[str] = Counter()
        for found in view_terms:
            df.update(found.keys())
        n = len(view_terms)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        view_len = [sum(t.values()) for t in view_terms]
        avg_len = sum(view_len) / max(n, 1)
        self.postings: dict[str, list[tuple[int, float]]] = {}
        """Per term: each view holding it, with the term's BM25 contribution to that view."""
        for v, found in enumerate(view_terms):
            for term, tf in found.items():
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * view_len[v] / avg_len))
                self.postings.setdefault(term, []).append((v, self.idf[term] * norm))
        self._vocab = Vocabulary(t for t in self.idf if t[0] not in "@#")
        self._closest = lru_cache(maxsize=4096)(self._closest_uncached)
        self.vectors: np.ndarray | None = None
        """One row per phrasing (unit ``dense_unit[row]``), and per unit its centroid and its
        content's vector; None without an embedder."""
        self.content_vectors: np.ndarray | None = None
        if embedder is not None and units:
            asked = [(i, markers.strip(q, scope)) for i, u in enumerate(units) for q in u.questions]
            self.dense_unit = np.array([i for i, _ in asked], dtype=np.intp)
            self.vectors = embedder.embed_many([q for _, q in asked])
            self.content_vectors = embedder.embed_many([u.text for u in units])
            sums = np.zeros_like(self.content_vectors)
            np.add.at(sums, self.dense_unit, self.vectors)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            self.centroids = sums / np.where(norms > 0, norms, 1.0)

    def _terms(self, marked: str) -> list[str]:
        return [t for t in terms(marked) if t != self._own]

    def _closest_uncached(self, term: str) -> str | None:
        if not correctable(term):
            return None
        return closest(term, self._vocab.close(term))

    def lexical(self, marked: str, squeezed: str) -> np.ndarray:
        """Each unit's BM25 score as a share of the best the question could score here.

        Words this scope does not know still count in that best, so a question made mostly of
        unknown words ("how tall is Everest") can never look like a confident match."""
        codes = [f"#{code}" for code, _ in self.codes if code in squeezed]
        wanted: list[str] = list(codes)
        for term in self._terms(marked):
            if codes and any(term in code for code in codes):
                continue  # a piece of a code already found ("ai", "102" of "AI-102")
            if term in self.idf or term[0] in "@#":
                wanted.append(term)
            else:
                wanted.append(self._closest(term) or term)
        unique = list(dict.fromkeys(wanted))
        per_view: dict[int, float] = {}
        for term in unique:
            for v, contribution in self.postings.get(term, ()):
                per_view[v] = per_view.get(v, 0.0) + contribution
        views = np.fromiter(per_view, dtype=np.intp, count=len(per_view))
        weighted = np.fromiter(per_view.values(), dtype=np.float64, count=len(per_view))
        best = best_two(
            len(self.units), self._view_unit[views], weighted * self._view_weight[views]
        )
        ceiling = sum(self.idf.get(t, self.max_idf) * (K1 + 1) for t in unique)
        ceiling = max(ceiling, MIN_CEILING * self.max_idf * (K1 + 1))
        return best / ceiling

    def exact(self, text: str, squeezed: str) -> list[int]:
        """Units the question names outright: word for word one of their phrasings, or by one
        of their codes ("ai102", "MLS-C01 vs MLA-C01" names two)."""
        found = [unit for code, unit in self.codes if code in squeezed]
        phrased = self.phrases.get(plain(text))
        if phrased is not None:
            found.append(phrased)
        return list(dict.fromkeys(found))

    def dense(self, vector: np.ndarray) -> np.ndarray:
        """Each unit's best cosine over its phrasings (its content counting for less)."""
        if self.vectors is None or self.content_vectors is None or not vector.any():
            return np.zeros(len(self.units), dtype=np.float32)
        return blend(
            len(self.units),
            self.dense_unit,
            self.vectors @ vector,
            self.centroids @ vector,
            self.content_vectors @ vector,
        )


class Vocabulary:
    """Known words, for correcting misspelt ones."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted(words)
        self._lengths = np.array([len(w) for w in self.words], dtype=np.float64)
        self._letters = _letters(self.words)

    def close(self, word: str) -> list[str]:
        """Every word as close to ``word`` as a correction may be, best first, exactly as
        ``difflib.get_close_matches`` lists them. Only the words whose letters could match
        enough (difflib's own cheap bound, here for the whole vocabulary at once) are compared
        one by one: a new misspelling costs ~0.1 ms instead of ~1 ms per thousand words."""
        if not self.words:
            return []
        shared = np.minimum(self._letters, _letters([word])[0]).sum(axis=1)
        possible = 2.0 * shared / (self._lengths + len(word)) >= SPELLING
        candidates = [self.words[i] for i in np.flatnonzero(possible)]
        if not candidates:
            return []
        return difflib.get_close_matches(word, candidates, n=len(candidates), cutoff=SPELLING)


_BIN = np.full(256, 37, dtype=np.intp)
_BIN[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789-", dtype=np.uint8)] = np.arange(37)


def _letters(words: list[str]) -> np.ndarray:
    """How often each character occurs in each word, a row per word (every other byte in one
    last bin, which can only overstate what two words share)."""
    encoded = [w.encode() for w in words]
    counts = np.zeros((len(words), 38), dtype=np.uint16)
    row = np.repeat(np.arange(len(words)), [len(e) for e in encoded])
    np.add.at(counts, (row, _BIN[np.frombuffer(b"".join(encoded), dtype=np.uint8)]), 1)
    return counts


def correctable(term: str) -> bool:
    """Short words are never bent, because "tall" is not a typo for "all"; markers never."""
    return len(term) >= 5 and term[0] not in "@#"


def closest(term: str, close: list[str]) -> str | None:
    """A known word for a misspelt one ("lerning"), from the known words closest to it (best
    first, as ``difflib.get_close_matches`` orders them): the first of the three best that
    starts with the same letter."""
    return next((c for c in close[:3] if c[0] == term[0]), None)


def best_two(n: int, units: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Each of ``n`` units' lexical score from its views' ``scores`` (view of unit ``units[i]``):
    its best blended with its second best, so one lucky phrasing counts less than two."""
    best = np.zeros(n)
    second = np.zeros(n)
    if len(scores):
        order = np.lexsort((-scores, units))
        units, scores = units[order], scores[order]
        first = np.r_[True, units[1:] != units[:-1]]
        runner_up = np.r_[False, first[:-1]] & ~first
        best[units[first]] = scores[first]
        second[units[runner_up]] = scores[runner_up]
    return (1 - SECOND_WEIGHT) * best + SECOND_WEIGHT * second


def blend(
    n: int,
    phrasing_unit: np.ndarray,
    phrasings: np.ndarray,
    centroids: np.ndarray,
    content: np.ndarray,
) -> np.ndarray:
    """Each of ``n`` units' dense score from the cosines of its phrasings (unit
    ``phrasing_unit[i]``), of its centroid and of its content (both in unit order)."""
    scores = np.zeros(n, dtype=np.float32)
    np.maximum.at(scores, phrasing_unit, phrasings)
    scores = (1 - CENTROID_WEIGHT) * scores + CENTROID_WEIGHT * centroids
    return np.maximum(scores, CONTENT_DENSE_WEIGHT * content)


def plain(text: str) -> str:
    """The words of a text, for matching a phrasing word for word."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))
