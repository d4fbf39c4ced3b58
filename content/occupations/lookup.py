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
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Literal

from content.occupations.data import Occupation, OccupationData, load_occupations

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
FRAME_WORDS = frozenset(["role", "position", "title"])
"""Words people put around a job's name ("the nurse role"): left out of a question unless a
name uses them ("Title Examiner"), so they cannot be typo-folded into a name word ("role" →
"hole")."""
GENERIC_WORDS = frozenset(["job", "work", "career", "occupation", "profession", "employment"])
"""Words that name no job on their own: "is my job safe?" asks about the person's own job
without naming it, and must not find "Job Coach"."""
MIN_TYPO_LENGTH = 5
"""Shorter words must be spelled right: one edit in four letters is another word as often as a
typo ("role" / "hole", "cook" / "book")."""
CODE = re.compile(r"\b(\d{2})-?(\d{4})(?:\.\d{2})?\b")
FEW = 3
"""Up to this many equally good fits are offered as buttons; more means "be more specific"."""

Kind = Literal["one", "few", "many", "none"]


_WORD = re.compile(r"[a-z0-9]+")


def _singular(word: str) -> str:
    if word[-1:] != "s" or len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    return word[:-3] + "y" if len(word) > 4 and word.endswith("ies") else word[:-1]


def words(text: str) -> tuple[str, ...]:
    """Lower-case, singular, connector-free: "Accountants and Auditors" → accountant, auditor."""
    found = _WORD.findall(text.lower().replace("’", "'").replace("'s ", " "))
    return tuple(dict.fromkeys([_singular(w) for w in found if w not in CONNECTORS]))


def _deletes(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _names(occ: Occupation) -> list[str]:
    """Every name of an occupation. A reported title with a short form in brackets counts
    whole, without the brackets, and the short form alone: "CPA", "OTR Driver"."""
    found = [occ.title]
    for title in occ.reported_titles:
        found.append(title)
        if "(" in title:
            found.append(re.sub(r"\s*\([^)]*\)", "", title))
            found.extend(re.findall(r"\(([^)]*)\)", title))
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
        self._exact: dict[frozenset[str], list[int]] = defaultdict(list)
        self._postings: dict[str, list[int]] = defaultdict(list)
        for occ in data.occupations:
            for name in _names(occ):
                self._add(name, occ.soc)
        for alias, soc in data.aliases.names.items():
            self._add(alias, soc)
        self._typos: dict[str, list[str]] | None = None
        """Each one-letter deletion of every indexed word → the words; built on first need."""
        self.find = lru_cache(maxsize=2048)(self._find)
        self._known = lru_cache(maxsize=8192)(self._known_uncached)

    def _add(self, name: str, soc: str) -> None:
        key = words(name)
        if not key:
            return
        index = len(self._name_words)
        self._name_words.append(key)
        self._name_text.append(name.strip())
        self._name_soc.append(soc)
        self._exact[frozenset(key)].append(index)
        for word in key:
            self._postings[word].append(index)

    def _known_uncached(self, word: str) -> str | None:
        """The word itself if indexed, else the indexed word one or two edits away that looks
        most like it (symmetric deletions, as in SymSpell), or None."""
        if word in self._postings:
            return word
        if len(word) < MIN_TYPO_LENGTH or word.isdigit():
            return None
        if self._typos is None:
            self._typos = defaultdict(list)
            for known in self._postings:
                if len(known) >= 3:
                    for variant in (known, *_deletes(known)):
                        self._typos[variant].append(known)
        candidates = {c for v in (word, *_deletes(word)) for c in self._typos.get(v, ())}
        scored = [
            (difflib.SequenceMatcher(None, word, c).ratio(), len(self._postings[c]), c)
            for c in candidates
        ]
        best = max(scored, default=None)
        return best[2] if best is not None and best[0] >= 0.75 else None

    def _match(self, index: int, exact: bool) -> Match:
        return Match(self.data.by_soc[self._name_soc[index]], self._name_text[index], exact)

    def _find(self, text: str) -> Found:
        code = CODE.search(text)
        if code:
            occ = self.data.get(f"{code[1]}-{code[2]}")
            if occ is not None:
                return Found("one", (Match(occ, occ.soc, True),), 1)
            return Found("none", tuple(self._same_group(f"{code[1]}-{code[2]}")))
        asked = tuple(w for w in words(text[:200]) if w not in FRAME_WORDS or w in self._postings)
        if GENERIC_WORDS.issuperset(asked):
            return Found("none", ())
        query = [w for w in (self._known(w) for w in asked) if w is not None]
        complete = len(query) == len(asked)
        if complete and (exact := self._exact.get(frozenset(query))):
            return self._decide([(i, True) for i in exact])
        return self._ranked(query, complete)

    def _ranked(self, query: list[str], complete: bool) -> Found:
        wanted = set(query)
        hits = Counter(chain.from_iterable(self._postings[w] for w in wanted))
        if not hits:
            return Found("none", ())
        most = max(hits.values())
        if not complete or most < len(wanted):
            # Not every word fits one name: the names sharing the most words are the closest.
            best = sorted(
                (i for i, n in hits.items() if n == most), key=lambda i: len(self._name_words[i])
            )
            return Found("none", tuple(self._decide([(i, False) for i in best]).matches))
        fitting = [i for i, n in hits.items() if n == most]
        shortest = min(len(self._name_words[i]) for i in fitting)
        tied = sorted(i for i in fitting if len(self._name_words[i]) == shortest)
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


@lru_cache(maxsize=4)
def shipped_index(pack_ids: frozenset[str]) -> OccupationIndex:
    """The shipped data and its index, with the links to whichever of these role packs are
    loaded (a roles folder of one's own need not have the shipped packs the links name): loaded
    once per process however many bots it builds (both are read-only after loading)."""
    return OccupationIndex(load_occupations(pack_ids=set(pack_ids), strict_packs=False))
