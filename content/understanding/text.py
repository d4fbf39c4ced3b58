"""Words for the lexical half of the matcher: normalising, stemming and spelling correction.

Role names and certification codes are found before words are split, so "ML engineers" becomes
one marker for the role (``@mle``) and "ai102", "AI 102" and "AI-102" all become ``#ai102``.
A question is then compared with each role's units with that role's own marker dropped (it
matches everything there), while other roles' markers stay: they are what a comparison is about.
"""

from __future__ import annotations

import re
import unicodedata
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


class Markers:
    """Finds role names in text and replaces them with markers."""

    def __init__(self, role_names: dict[str, str]) -> None:
        names = sorted(role_names, key=lambda n: (-len(n), n))
        self._roles = role_names
        self._role_pattern = (
            re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")s?\b") if names else None
        )

    def roles(self, text: str) -> list[str]:
        """Ids of the roles a text names, in order of first mention, without repeats."""
        words = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
        if self._role_pattern is None:
            return []
        found = [self._roles[m.group(1)] for m in self._role_pattern.finditer(words)]
        return list(dict.fromkeys(found))

    def mark(self, text: str) -> str:
        """The text as plain words, with role names as ``@<id>`` markers."""
        words = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
        if self._role_pattern is not None:
            words = self._role_pattern.sub(lambda m: f" @{self._roles[m.group(1)]} ", words)
        return words

    def strip(self, text: str, role_id: str | None) -> str:
        """The text with the names of ``role_id`` removed (what gets embedded)."""
        if role_id is None or self._role_pattern is None:
            return text
        words = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
        return self._role_pattern.sub(
            lambda m: " " if self._roles[m.group(1)] == role_id else m.group(0), words
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
