"""The search index of one scope (one role pack's units, or the shared ones).

Each scope keeps its own postings, term statistics and vectors, so a question about one role
never walks another role's postings, and adding packs does not slow a question down.
Lexical scores are BM25 over each unit's phrasings (its best two count); dense scores are the
cosine between the question's vector and each phrasing's. Both are per unit, in unit order.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
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
        self._codes = [
            (c, i)
            for i, unit in enumerate(units)
            if unit.kind == "cert"
            for c in dict.fromkeys(compact(code) for code in unit.codes)
            if len(c) >= 4
        ]
        self._exact: dict[str, int] = {}
        for i, unit in enumerate(units):
            for q in unit.questions:
                self._exact.setdefault(_plain(q), i)
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
        self._view_unit = view_unit
        self._view_terms = view_terms
        self._view_len = [sum(t.values()) for t in view_terms]
        self._view_weight = view_weight
        df: Counter[str] = Counter()
        for found in view_terms:
            df.update(found.keys())
        n = len(view_terms)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._avg_len = sum(self._view_len) / max(n, 1)
        self._postings: dict[str, list[int]] = {}
        for v, found in enumerate(view_terms):
            for term in found:
                self._postings.setdefault(term, []).append(v)
        self._vocab = sorted(t for t in self._idf if t[0] not in "@#")
        self._closest = lru_cache(maxsize=4096)(self._closest_uncached)
        self._vectors: np.ndarray | None = None
        self._content_vectors: np.ndarray | None = None
        if embedder is not None and units:
            asked = [(i, markers.strip(q, scope)) for i, u in enumerate(units) for q in u.questions]
            self._dense_unit = np.array([i for i, _ in asked], dtype=np.intp)
            self._vectors = embedder.embed_many([q for _, q in asked])
            self._content_vectors = embedder.embed_many([u.text for u in units])
            sums = np.zeros_like(self._content_vectors)
            np.add.at(sums, self._dense_unit, self._vectors)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            self._centroids = sums / np.where(norms > 0, norms, 1.0)

    def _terms(self, marked: str) -> list[str]:
        return [t for t in terms(marked) if t != self._own]

    def _closest_uncached(self, term: str) -> str | None:
        """A known word for a misspelt one ("lerning"); short words are never bent, because
        "tall" is not a typo for "all"."""
        if len(term) < 5 or term[0] in "@#":
            return None
        close = difflib.get_close_matches(term, self._vocab, n=3, cutoff=0.8)
        return next((c for c in close if c[0] == term[0]), None)

    def lexical(self, marked: str, squeezed: str) -> np.ndarray:
        """Each unit's BM25 score as a share of the best the question could score here.

        Words this scope does not know still count in that best, so a question made mostly of
        unknown words ("how tall is Everest") can never look like a confident match."""
        codes = [f"#{code}" for code, _ in self._codes if code in squeezed]
        wanted: list[str] = list(codes)
        for term in self._terms(marked):
            if codes and any(term in code for code in codes):
                continue  # a piece of a code already found ("ai", "102" of "AI-102")
            if term in self._idf or term[0] in "@#":
                wanted.append(term)
            else:
                wanted.append(self._closest(term) or term)
        unique = list(dict.fromkeys(wanted))
        per_view: dict[int, float] = {}
        for term in unique:
            idf = self._idf.get(term)
            if idf is None:
                continue
            for v in self._postings[term]:
                tf = self._view_terms[v][term]
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * self._view_len[v] / self._avg_len))
                per_view[v] = per_view.get(v, 0.0) + idf * norm
        best = np.zeros(len(self.units))
        second = np.zeros(len(self.units))
        for v, score in per_view.items():
            u = self._view_unit[v]
            weighted = score * self._view_weight[v]
            if weighted > best[u]:
                best[u], second[u] = weighted, best[u]
            elif weighted > second[u]:
                second[u] = weighted
        ceiling = sum(self._idf.get(t, self._max_idf) * (K1 + 1) for t in unique)
        ceiling = max(ceiling, MIN_CEILING * self._max_idf * (K1 + 1))
        return ((1 - SECOND_WEIGHT) * best + SECOND_WEIGHT * second) / ceiling

    def exact(self, text: str, squeezed: str) -> list[int]:
        """Units the question names outright: word for word one of their phrasings, or by one
        of their codes ("ai102", "MLS-C01 vs MLA-C01" names two)."""
        found = [unit for code, unit in self._codes if code in squeezed]
        phrased = self._exact.get(_plain(text))
        if phrased is not None:
            found.append(phrased)
        return list(dict.fromkeys(found))

    def dense(self, vector: np.ndarray) -> np.ndarray:
        """Each unit's best cosine over its phrasings (its content counting for less)."""
        scores = np.zeros(len(self.units), dtype=np.float32)
        if self._vectors is None or self._content_vectors is None or not vector.any():
            return scores
        np.maximum.at(scores, self._dense_unit, self._vectors @ vector)
        scores = (1 - CENTROID_WEIGHT) * scores + CENTROID_WEIGHT * (self._centroids @ vector)
        return np.maximum(scores, CONTENT_DENSE_WEIGHT * (self._content_vectors @ vector))


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))
