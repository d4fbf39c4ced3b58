"""Finding an occupation from whatever a person types: a title, a reported title, an alias,
a SOC code, with small typos.

Every name (official title, each O*NET reported title, each alias) becomes a set of normalised
words. A query matches a name when it covers all of the query's words; the tighter the name
fits the query, the better. Words the index has never seen are mapped to their nearest known
word (same length ±2, difflib ratio ≥ 0.8), which is how "acountant" and "paralegel" work.
The outcome says whether one occupation fits, a few do (offer them), a great many do (ask for
a more specific name), or none (offer the closest).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from content.occupations.data import Occupation, OccupationData

CONNECTORS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "for",
        "to",
        "or",
        "with",
        "on",
        "at",
        "by",
        "my",
        "our",
        "as",
    ]
)
CODE = re.compile(r"\b(\d{2})-?(\d{4})(?:\.\d{2})?\b")
FEW = 3
"""Up to this many equally good fits are offered as buttons; more means "be more specific"."""

Kind = Literal["one", "few", "many", "none"]


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> tuple[str, ...]:
    """Lower-case, singular, connector-free: "Accountants and Auditors" → accountant, auditor."""
    found = re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'s ", " "))
    return tuple(dict.fromkeys(_singular(w) for w in found if w not in CONNECTORS))


def _names(occ: Occupation) -> list[tuple[str, str]]:
    """(name, kind) pairs; a parenthesised short form is its own name: "CPA", "OTR Driver"."""
    found = [(occ.title, "title")]
    for title in occ.reported_titles:
        found.append((re.sub(r"\s*\([^)]*\)", "", title), "reported"))
        found.extend((inner, "reported") for inner in re.findall(r"\(([^)]*)\)", title))
    return found


@dataclass(frozen=True, slots=True)
class Match:
    occupation: Occupation
    name: str
    """The name that matched, as written in the data."""
    exact: bool


@dataclass(frozen=True, slots=True)
class Found:
    kind: Kind
    matches: tuple[Match, ...]
    """one: the match; few: 2–3 equally good; many: a few examples; none: the closest."""
    total: int = 0
    """How many occupations fitted equally well (for "many")."""

    @property
    def occupations(self) -> list[Occupation]:
        return [m.occupation for m in self.matches]


class OccupationIndex:
    def __init__(self, data: OccupationData) -> None:
        self.data = data
        self._name_words: list[tuple[str, ...]] = []
        self._name_text: list[str] = []
        self._name_soc: list[str] = []
        self._exact: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self._postings: dict[str, list[int]] = defaultdict(list)
        for occ in data.occupations:
            for name, _kind in _names(occ):
                self._add(name, occ.soc)
        for alias, soc in data.aliases.names.items():
            self._add(alias, soc)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in self._postings:
            self._by_length[len(word)].append(word)
        self.find = lru_cache(maxsize=2048)(self._find)

    def _add(self, name: str, soc: str) -> None:
        key = words(name)
        if not key:
            return
        index = len(self._name_words)
        self._name_words.append(key)
        self._name_text.append(name.strip())
        self._name_soc.append(soc)
        self._exact[tuple(sorted(key))].add(index)
        for word in key:
            self._postings[word].append(index)

    @lru_cache(maxsize=8192)  # noqa: B019 - one index per process, lives as long as it
    def _known(self, word: str) -> str | None:
        """The word itself if indexed, else its closest indexed word of similar length."""
        if word in self._postings:
            return word
        if len(word) < 4 or word.isdigit():
            return None
        pool = [w for n in range(len(word) - 2, len(word) + 3) for w in self._by_length.get(n, ())]
        close = difflib.get_close_matches(word, pool, n=1, cutoff=0.8)
        return close[0] if close else None

    def _match(self, index: int, exact: bool) -> Match:
        return Match(self.data.by_soc[self._name_soc[index]], self._name_text[index], exact)

    def _find(self, text: str) -> Found:
        code = CODE.search(text)
        if code:
            occ = self.data.get(f"{code[1]}-{code[2]}")
            if occ is not None:
                return Found("one", (Match(occ, occ.soc, True),), 1)
            return Found("none", tuple(self._same_group(f"{code[1]}-{code[2]}")))
        query = [w for w in (self._known(w) for w in words(text)) if w is not None]
        asked = words(text)
        if not asked:
            return Found("none", ())
        if len(query) == len(asked):
            exact = self._exact.get(tuple(sorted(set(query))), set())
            if exact:
                return self._decide([(i, True) for i in sorted(exact)])
        return self._ranked(query, complete=len(query) == len(asked))

    def _ranked(self, query: list[str], complete: bool) -> Found:
        wanted = set(query)
        hits: dict[int, int] = defaultdict(int)
        for word in wanted:
            for i in self._postings.get(word, ()):
                hits[i] += 1
        best: dict[str, tuple[float, float, int]] = {}
        for i, shared in hits.items():
            score = (shared / len(wanted), shared / len(self._name_words[i]), -i)
            soc = self._name_soc[i]
            if score > best.get(soc, (0.0, 0.0, 0)):
                best[soc] = score
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        if not ranked:
            return Found("none", ())
        top = ranked[0][1][:2]
        if not complete or top[0] < 1.0:
            return Found("none", tuple(self._match(-s[2], False) for _, s in ranked[:FEW]))
        tied = [-s[2] for _, s in ranked if s[:2] == top]
        return self._decide([(i, False) for i in tied])

    def _decide(self, found: list[tuple[int, bool]]) -> Found:
        by_soc: dict[str, tuple[int, bool]] = {}
        for i, exact in found:
            by_soc.setdefault(self._name_soc[i], (i, exact))
        matches = tuple(self._match(i, exact) for i, exact in by_soc.values())
        if len(matches) == 1:
            return Found("one", matches, 1)
        if len(matches) <= FEW:
            return Found("few", matches, len(matches))
        return Found("many", matches[:FEW], len(matches))

    def _same_group(self, code: str) -> list[Match]:
        group = [o for o in self.data.occupations if o.soc[:5] == code[:5]][:FEW]
        return [Match(o, o.soc, False) for o in group]

    def complete(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        """(label, value) pairs for an autocomplete box: names starting with or containing
        what was typed, official titles first; the value is what a lookup resolves."""
        typed = " ".join(typed.lower().split())
        if not typed:
            return [(o.title, o.title) for o in self.data.occupations[:limit]]
        starts: list[tuple[str, str]] = []
        contains: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, name in enumerate(self._name_text):
            low = name.lower()
            if typed not in low or low in seen:
                continue
            seen.add(low)
            occ = self.data.by_soc[self._name_soc[i]]
            label = name if name == occ.title else f"{name} → {occ.title}"
            (starts if low.startswith(typed) else contains).append((label, name))
            if len(starts) >= limit:
                break
        results = (starts + contains)[:limit]
        if not results:
            found = self.find(typed)
            results = [(m.occupation.title, m.occupation.title) for m in found.matches]
        return results
