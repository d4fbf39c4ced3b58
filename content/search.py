"""Answering free text from the content: role names with typos, and questions to FAQs/sections.

Retrieval is BM25 over each FAQ's question and every alternative phrasing (a FAQ scores as its
best-matching phrasing), plus one document per content section so "what certs should I take"
lands on the roadmap. Query words not in the vocabulary are mapped to their closest known word,
which is what makes "machne lerning" work. A match is confident only when its score is a large
enough share of what the query could score at best; otherwise the caller offers the closest
questions instead of guessing.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from content.loader import Library
from content.schema import RolePack, slug_words

STOPWORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "did",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "i'm",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "shall",
        "should",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "am",
        "about",
        "any",
        "just",
        "more",
        "most",
        "much",
        "very",
        "also",
        "really",
    )
)
SYNONYMS = {
    "mle": "machine learning engineer",
    "ml": "machine learning",
    "ai": "ai",
    "cert": "certification",
    "certs": "certification",
    "certificate": "certification",
    "certificates": "certification",
    "exam": "certification",
    "exams": "certification",
    "pay": "salary",
    "paid": "salary",
    "earn": "salary",
    "money": "salary",
    "wage": "salary",
    "job": "role",
    "jobs": "role",
    "career": "career",
    "takeover": "replace",
    "obsolete": "replace",
    "automate": "automation",
    "automated": "automation",
    "automatable": "automation",
    "safe": "safe",
    "redundant": "replace",
    "disappear": "replace",
    "extinct": "replace",
    "applicant": "candidate",
    "candidates": "candidate",
    "assess": "evaluate",
    "judge": "evaluate",
    "hire": "hiring",
    "classic": "classical",
    "traditional": "classical",
    "study": "learn",
    "exposed": "exposure",
    "exposes": "exposure",
    "salaries": "salary",
    "income": "salary",
}
K1, B = 1.2, 0.75
ANSWER_WEIGHT = 0.5
CONFIDENT_SHARE = 0.42
"""A top hit reaching this share of the query's best possible score is answered directly..."""
CLEAR_SHARE, CLEAR_MARGIN = 0.28, 1.25
"""...and so is one that reaches a lower share but clearly beats the runner-up."""


def _stem(word: str) -> str:
    for suffix in ("ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
    return word


PHRASES = [
    (re.compile(r"\blarge language models?\b"), "llm"),
    (re.compile(r"\bauto(?:mated)?[ -]?(?:machine learning|ml)\b"), "automl"),
    (re.compile(r"\bai (?:eng|engineers?)\b"), "aiengineer"),
    (re.compile(r"\bstay(?:ing)? (?:ahead|relevant|employable)\b"), "learn"),
    (re.compile(r"\bhow much\b"), "salary"),
]
"""Multi-word names rewritten to one token before splitting, so they are not diluted."""


def tokens(text: str) -> list[str]:
    text = text.lower()
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    words: list[str] = []
    for raw in re.findall(r"[a-z0-9]+", text):
        expanded = SYNONYMS.get(raw, raw)
        words.extend(_stem(w) for w in expanded.split() if w not in STOPWORDS)
    return words


SectionName = Literal[
    "risk", "tasks", "plan", "certs", "day", "salary", "responsibilities", "about", "roles"
]
SECTION_WORDS: dict[str, str] = {
    "risk": "risk score exposure automation replace how exposed percent factors level",
    "tasks": "tasks at risk automated automation which tasks work parts",
    "plan": "protect protection plan skills learn stay ahead future proof migration path move",
    "certs": "certification roadmap which certification first order credential study",
    "day": "day in the life typical day daily routine what do all day",
    "salary": "salary pay earn make money how much income compensation",
    "responsibilities": "responsibilities duties what does do role involve job description",
    "about": "sources method methodology how computed where data from reviewed",
    "roles": "roles other roles list compare adjacent difference between",
}


@dataclass(frozen=True, slots=True)
class Hit:
    role_id: str
    kind: Literal["faq", "section"]
    ref: str
    """The FAQ id, or a section name from :data:`SECTION_WORDS`."""
    title: str
    score: float


@dataclass(frozen=True, slots=True)
class _View:
    doc: int
    terms: Counter[str]
    length: int


@dataclass(frozen=True, slots=True)
class _Doc:
    role_id: str
    kind: Literal["faq", "section"]
    ref: str
    title: str


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    confident: bool
    role: RolePack | None
    """A role the question named, if any."""


class ContentIndex:
    def __init__(self, library: Library) -> None:
        self.library = library
        self._docs: list[_Doc] = []
        self._views: list[_View] = []
        self._answer_views: set[int] = set()
        """Views holding a FAQ's answer: they widen recall but count for less than a question."""
        for pack in library.packs:
            self._add_pack(pack)
        df: Counter[str] = Counter()
        for view in self._views:
            df.update(view.terms.keys())
        n = len(self._views)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._avg_len = sum(v.length for v in self._views) / max(n, 1)
        self._postings: dict[str, list[int]] = {}
        for i, view in enumerate(self._views):
            for term in view.terms:
                self._postings.setdefault(term, []).append(i)
        self._vocab = sorted(self._idf)
        self._names = sorted(library.names, key=len, reverse=True)
        self._role_words = {
            pack.id: frozenset(
                t for name in (pack.title, *pack.aliases) for t in tokens(name) if t != "ai"
            )
            for pack in library.packs
        }
        self._closest = lru_cache(maxsize=4096)(self._closest_uncached)
        self.resolve_role = lru_cache(maxsize=4096)(self._resolve_role_uncached)

    def _add_pack(self, pack: RolePack) -> None:
        def add_view(doc: int, text: str) -> None:
            terms = Counter(tokens(text))
            if terms:
                self._views.append(_View(doc, terms, sum(terms.values())))

        def add(kind: Literal["faq", "section"], ref: str, title: str, texts: list[str]) -> None:
            self._docs.append(_Doc(pack.id, kind, ref, title))
            for text in texts:
                add_view(len(self._docs) - 1, text)

        if pack.faqs:
            for faq in pack.faqs.items:
                add("faq", faq.id, faq.question, [faq.question, *faq.also_asked])
                self._answer_views.add(len(self._views))
                add_view(len(self._docs) - 1, faq.answer)
        present = {
            "risk": pack.risk,
            "tasks": pack.tasks_at_risk,
            "plan": pack.protection,
            "certs": pack.certifications,
            "day": pack.day_in_the_life,
            "salary": pack.salary,
            "responsibilities": pack.responsibilities,
            "about": True,
            "roles": True,
        }
        for section, words in SECTION_WORDS.items():
            if present[section]:
                add("section", section, f"{pack.title}: {section}", [words])

    # -- role names ---------------------------------------------------------------------------

    def _resolve_role_uncached(self, text: str) -> RolePack | None:
        """A role from its id, title or alias, tolerating small typos and abbreviations."""
        wanted = slug_words(text)
        if not wanted:
            return None
        names = self.library.names
        if wanted in names:
            return self.library.get(names[wanted])
        prefixed = [n for n in names if n.startswith(wanted) and len(wanted) >= 4]
        if len({names[n] for n in prefixed}) == 1:
            return self.library.get(names[prefixed[0]])
        close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.8)
        return self.library.get(names[close[0]]) if close else None

    def suggest_roles(self, text: str, n: int = 3) -> list[RolePack]:
        names = self.library.names
        close = difflib.get_close_matches(slug_words(text), list(names), n=8, cutoff=0.4)
        found: list[RolePack] = []
        for name in close:
            pack = self.library.get(names[name])
            if pack is not None and pack not in found:
                found.append(pack)
        return found[:n]

    def role_in(self, text: str) -> RolePack | None:
        """A role named anywhere in a sentence ("will AI replace ML engineers?").

        When a question names several roles ("ML engineer vs AI engineer"), the one with FAQs
        wins, because comparisons are written up in the full packs.
        """
        words = f" {slug_words(text)} ".replace("engineers ", "engineer ")
        named = [
            pack
            for name in self._names
            if len(name) >= 3
            and f" {name} " in words
            and (pack := self.library.get(self.library.names[name])) is not None
        ]
        if not named:
            return None
        return next((pack for pack in named if pack.faqs), named[0])

    # -- questions ----------------------------------------------------------------------------

    def _closest_uncached(self, term: str) -> str | None:
        if len(term) < 4:
            return None
        close = difflib.get_close_matches(term, self._vocab, n=1, cutoff=0.8)
        return close[0] if close else None

    def _query_terms(self, text: str, role_id: str | None = None) -> list[str]:
        """Query words mapped onto the vocabulary, minus the words of the role's own name:
        once the role is known they match nearly everything and only add noise."""
        noise = self._role_words.get(role_id or "", frozenset())
        terms: list[str] = []
        for term in tokens(text):
            if term in noise:
                continue
            if term in self._idf:
                terms.append(term)
            elif (near := self._closest(term)) is not None:
                terms.append(near)
        return terms

    def search(self, text: str, role_id: str | None = None, limit: int = 3) -> SearchResult:
        named = self.role_in(text)
        scope = named.id if named else role_id
        terms = self._query_terms(text, scope)
        best: dict[int, float] = {}
        for term in set(terms):
            idf = self._idf[term]
            for i in self._postings.get(term, ()):
                view = self._views[i]
                doc = self._docs[view.doc]
                if scope and doc.role_id != scope:
                    continue
                tf = view.terms[term]
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * view.length / self._avg_len))
                best[i] = best.get(i, 0.0) + idf * norm
        per_doc: dict[int, float] = {}
        for i, score in best.items():
            if i in self._answer_views:
                score *= ANSWER_WEIGHT
            doc_index = self._views[i].doc
            per_doc[doc_index] = max(per_doc.get(doc_index, 0.0), score)
        ranked = sorted(per_doc.items(), key=lambda item: item[1], reverse=True)[:limit]
        hits = [
            Hit(d.role_id, d.kind, d.ref, d.title, score)
            for d, score in ((self._docs[i], s) for i, s in ranked)
        ]
        ceiling = sum(self._idf[t] * (K1 + 1) for t in set(terms)) or 1.0
        confident = False
        if hits:
            share = hits[0].score / ceiling
            runner_up = hits[1].score if len(hits) > 1 else 0.0
            confident = share >= CONFIDENT_SHARE or (
                share >= CLEAR_SHARE and hits[0].score >= CLEAR_MARGIN * runner_up
            )
        return SearchResult(hits, confident, named)
