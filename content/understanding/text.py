"""Words for the lexical half of the matcher: normalising, stemming and spelling correction.

Role names and certification codes are found before words are split, so "ML engineers" becomes
one marker for the role (``@mle``) and "ai102", "AI 102" and "AI-102" all become ``#ai102``.
A question is then compared with each role's units with that role's own marker dropped (it
matches everything there), while other roles' markers stay: they are what a comparison is about.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

STOPWORDS = frozenset(
    [
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
        "im",
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
        "s",
        "t",
        "d",
        "ll",
        "ve",
        "re",
        "u",
        "r",
        "ur",
        "ya",
        "wat",
        "wut",
        "shud",
        "cud",
        "wud",
        "pls",
        "plz",
        "please",
        "lol",
        "tell",
        "show",
        "give",
        "know",
        "want",
        "wanna",
        "gonna",
        "gotta",
        "hey",
        "ok",
        "okay",
        "yes",
        "no",
        "thing",
        "things",
        "stuff",
        "like",
        "get",
        "got",
        "even",
        "still",
        "now",
        "one",
        "some",
        # contractions typed without their apostrophe ("whats" would otherwise stem to "what")
        "whats",
        "hows",
        "wheres",
        "whos",
        "thats",
        "theres",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "cant",
        "wont",
        "ive",
        "youre",
        "lets",
    ]
)
SYNONYMS = {
    "cert": "certification",
    "certs": "certification",
    "certificate": "certification",
    "certificates": "certification",
    "certified": "certification",
    "credential": "certification",
    "credentials": "certification",
    "exam": "certification",
    "exams": "certification",
    "pay": "salary",
    "paid": "salary",
    "earn": "salary",
    "money": "salary",
    "wage": "salary",
    "salaries": "salary",
    "income": "salary",
    "compensation": "salary",
    "job": "role",
    "jobs": "role",
    "takeover": "replace",
    "obsolete": "replace",
    "redundant": "replace",
    "disappear": "replace",
    "extinct": "replace",
    "automate": "automation",
    "automated": "automation",
    "automatable": "automation",
    "applicant": "candidate",
    "candidates": "candidate",
    "assess": "evaluate",
    "judge": "evaluate",
    "vet": "evaluate",
    "hire": "hiring",
    "hired": "hiring",
    "classic": "classical",
    "traditional": "classical",
    "study": "learn",
    "upskill": "learn",
    "exposed": "exposure",
    "exposes": "exposure",
    "yrs": "years",
    "prod": "production",
    "aws": "amazon aws",
    "gcp": "google cloud",
    "azure": "azure microsoft",
    "tf": "tensorflow",
    "phd": "doctorate",
    "doctoral": "doctorate",
}
PHRASES = [
    (re.compile(r"\blarge language models?\b"), "llm"),
    (re.compile(r"\bmachine learning\b"), "ml"),
    (re.compile(r"\bauto(?:mated)?[ -]?(?:machine learning|ml)\b"), "automl"),
    (re.compile(r"\bstay(?:ing)? (?:ahead|relevant|employable)\b"), "learn"),
    (re.compile(r"\bhow much\b"), "salary"),
]
"""Multi-word expressions rewritten to one word before splitting, so they are not diluted."""
_SUFFIXES = ("ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper; a final "e" goes too, so "evolving" and "evolve" meet."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


_APOSTROPHES = re.compile(r"['’`]")


def fold(text: str) -> str:
    """Lower-case ASCII words: accents stripped ("São" -> "sao"), apostrophes closed up."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _APOSTROPHES.sub("", text)


def compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


CREDENTIAL_BEFORE = frozenset(
    ["azure", "microsoft", "google", "gcp", "aws", "amazon", "cloud", "professional", "certified"]
)
CREDENTIAL_AFTER = frozenset(["associate", "specialty", "professional"])
"""A role name right after a vendor's word or right before a credential level is part of a
certification's name ("Azure AI Engineer Associate", "Google Professional Machine Learning
Engineer"), not a question about that role: read as plain words, it reaches the certification."""


class Markers:
    """Finds role names in text and replaces them with markers."""

    def __init__(self, role_names: dict[str, str]) -> None:
        names = sorted(role_names, key=lambda n: (-len(n), n))
        self._roles = role_names
        self._role_pattern = (
            re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")s?\b") if names else None
        )

    def _mentions(self, words: str, credentials: bool = False) -> list[re.Match[str]]:
        """The role names in ``words`` that name a role, or (``credentials``) the ones that are
        part of a certification's name."""
        if self._role_pattern is None:
            return []
        found = []
        for m in self._role_pattern.finditer(words):
            before = words[: m.start()].split()[-1:]
            after = words[m.end() :].split()[:1]
            inside = bool(set(before) & CREDENTIAL_BEFORE or set(after) & CREDENTIAL_AFTER)
            if inside == credentials:
                found.append(m)
        return found

    def _replace(self, words: str, marker: Callable[[re.Match[str]], str]) -> str:
        pieces: list[str] = []
        end = 0
        for m in self._mentions(words):
            pieces += [words[end : m.start()], marker(m)]
            end = m.end()
        return "".join(pieces) + words[end:]

    def roles(self, text: str) -> list[str]:
        """Ids of the roles a text names, in order of first mention, without repeats."""
        words = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
        found = [self._roles[m.group(1)] for m in self._mentions(words)]
        return list(dict.fromkeys(found))

    def in_credentials(self, text: str) -> list[str]:
        """Ids of the roles whose names a text uses only inside a certification's name: that
        role's pack may hold the certification ("Google Professional Machine Learning
        Engineer" is on the ML engineer's roadmap), so it is searched too."""
        words = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
        found = [self._roles[m.group(1)] for m in self._mentions(words, credentials=True)]
        return list(dict.fromkeys(found))

    def mark(self, text: str) -> str:
        """The text as plain words, with role names as ``@<id>`` markers."""
        words = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
        return self._replace(words, lambda m: f" @{self._roles[m.group(1)]} ")

    def strip(self, text: str, role_id: str | None) -> str:
        """The text with the names of ``role_id`` removed (what gets embedded)."""
        if role_id is None or self._role_pattern is None:
            return text
        words = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
        return self._replace(
            words, lambda m: " " if self._roles[m.group(1)] == role_id else m.group(0)
        )


def terms(marked: str) -> list[str]:
    """Stemmed content words of a marked text; markers pass through unchanged."""
    for pattern, replacement in PHRASES:
        marked = pattern.sub(replacement, marked)
    out: list[str] = []
    for raw in re.findall(r"[@#]?[a-z0-9-]+", marked):
        if raw[0] in "@#":
            out.append(raw)
            continue
        for word in SYNONYMS.get(raw, raw).split():
            if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
                out.append(stem(word))
    return out
