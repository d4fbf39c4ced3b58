"""Answering free text from the content: role names with typos, and questions to units.

Every answerable thing is a unit (content/understanding/units.py): each FAQ, each section of a
pack, each certification, each comparison with a neighbouring role, and whatever other modules
register with :meth:`ContentIndex.add_units`. A question is scored against the units of the
roles it names, else of the chosen role, else of every role (plus the shared units), by the sum
of a corrected BM25 share and the cosine of static MiniLM sentence vectors. The caller answers
only a clear winner; a close call gets the three closest as buttons, and a question that
matches nothing well gets a short "here is what I can help with".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from content.loader import Library
from content.schema import RolePack, slug_words
from content.understanding.embed import StaticEmbedder
from content.understanding.scope import EXACT_BONUS, ScopeIndex
from content.understanding.smalltalk import is_probe
from content.understanding.text import Markers, compact
from content.understanding.units import SHARED, Unit, pack_units

DENSE_WEIGHT = 1.25
"""Weight of the cosine beside the BM25 share (each is 0..1), tuned on the dev split."""
ANSWER_AT = 1.1
"""A top unit scoring this much is answered directly (tuned on the dev split)...  """
ANSWER_MARGIN = 0.15
"""...when it beats the runner-up by at least this much...  """
ANSWER_DENSE_AT = 0.5
"""...and its meaning is close, not only its words ("test" shares a word with a FAQ)."""
CHOOSE_AT = 0.85
CHOOSE_DENSE_AT = 0.0
"""Below this score, or this cosine, nothing is close enough to offer: the question is treated
as off-topic (tuned on the dev split too; the cosine floor is 0: once "test" and "ping" are
known for what they are, a floor cost more on-topic questions than it saved off-topic ones)."""

Decision = Literal["answer", "choose", "none"]


@dataclass(frozen=True, slots=True)
class Hit:
    unit: Unit
    score: float
    lexical: float
    dense: float
    named: bool = False
    """The question named this unit outright (a code, or one of its phrasings word for word)."""

    @property
    def ref(self) -> str:
        return self.unit.ref


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    decision: Decision
    roles: list[str]
    """Ids of the roles the question named, in order of mention."""

    @property
    def confident(self) -> bool:
        return self.decision == "answer"


class ContentIndex:
    """All units of a library, indexed scope by scope; a scope is built the first time a
    question reaches it (or all at once with :meth:`warm`)."""

    def __init__(
        self, library: Library, embedder: StaticEmbedder | Literal["default"] | None = "default"
    ) -> None:
        self.library = library
        self.embedder = StaticEmbedder.load() if embedder == "default" else embedder
        self._names = sorted(library.names, key=len, reverse=True)
        self._markers = Markers({n: library.names[n] for n in self._names if len(n) >= 3})
        self._titles = {p.id: p.title for p in library.packs}
        self._extra: dict[str, list[Unit]] = {}
        self._scopes: dict[str, ScopeIndex] = {}
        self.resolve_role = lru_cache(maxsize=4096)(self._resolve_role_uncached)

    # -- units ----------------------------------------------------------------------------------

    def add_units(self, units: Iterable[Unit]) -> None:
        """Make more units answerable (e.g. occupations, in :data:`SHARED` scope)."""
        for unit in units:
            self._extra.setdefault(unit.scope, []).append(unit)
            self._scopes.pop(unit.scope, None)

    def scope_ids(self) -> list[str]:
        ids = [p.id for p in self.library.packs]
        return ids + [s for s in self._extra if s not in ids]

    def scope(self, scope: str) -> ScopeIndex:
        index = self._scopes.get(scope)
        if index is None:
            pack = self.library.get(scope) if scope else None
            units = pack_units(pack, self._titles) if pack is not None else []
            units += self._extra.get(scope, [])
            index = ScopeIndex(scope, units, self._markers, self.embedder)
            self._scopes[scope] = index
        return index

    def warm(self) -> None:
        for scope in self.scope_ids():
            self.scope(scope)

    def units(self) -> list[Unit]:
        return [u for s in self.scope_ids() for u in self.scope(s).units]

    # -- role names -----------------------------------------------------------------------------

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
        close = difflib.get_close_matches(wanted, sorted(names), n=1, cutoff=0.8)
        return self.library.get(names[close[0]]) if close else None

    def suggest_roles(self, text: str, n: int = 3) -> list[RolePack]:
        names = self.library.names
        close = difflib.get_close_matches(slug_words(text), sorted(names), n=8, cutoff=0.4)
        found: list[RolePack] = []
        for name in close:
            pack = self.library.get(names[name])
            if pack is not None and pack not in found:
                found.append(pack)
        return found[:n]

    def role_in(self, text: str) -> RolePack | None:
        """The first role a sentence names ("will AI replace ML engineers?"), if any."""
        named = self._markers.roles(text)
        return self.library.get(named[0]) if named else None

    # -- questions ------------------------------------------------------------------------------

    def search(self, text: str, role_id: str | None = None, limit: int = 3) -> SearchResult:
        """The closest units and what to do with them. Only the scopes that can answer are
        searched: the roles the question names, else the chosen role, else every role."""
        named = self._markers.roles(text)
        only: dict[str, set[str]] = {}
        """Scopes searched for some units only: the chosen role's comparisons with the roles
        the question names ("how does this compare with ML engineering?")."""
        if named:
            scopes = list(named)
            if role_id is not None and role_id not in named:
                scopes.append(role_id)
                only[role_id] = {f"compare:{other}" for other in named}
        elif role_id is not None:
            scopes = [role_id]
        else:
            scopes = [p.id for p in self.library.packs]
        if SHARED in self._extra:
            scopes = [*scopes, SHARED]
        marked = self._markers.mark(text)
        squeezed = compact(text)
        vectors: dict[str, np.ndarray] = {}
        scored: list[tuple[float, int, Hit]] = []
        order = 0
        for scope_id in scopes:
            index = self.scope(scope_id)
            if not index.units:
                continue
            lexical = index.lexical(marked, squeezed)
            if self.embedder is not None:
                stripped = self._markers.strip(text, scope_id or None)
                if stripped not in vectors:
                    vectors[stripped] = self.embedder.embed(stripped)
                dense = index.dense(vectors[stripped])
            else:
                dense = np.zeros(len(index.units), dtype=np.float32)
            fused = lexical + DENSE_WEIGHT * dense
            exact = index.exact(text, squeezed)
            fused[exact] += EXACT_BONUS
            if scope_id in only:
                keep = np.array([u.key in only[scope_id] for u in index.units])
                fused = np.where(keep, fused, -np.inf)
            for i in np.argsort(-fused, kind="stable")[: limit + 1]:
                if fused[i] == -np.inf:
                    break
                hit = Hit(
                    index.units[i], float(fused[i]), float(lexical[i]), float(dense[i]), i in exact
                )
                scored.append((-hit.score, order + int(i), hit))
            order += len(index.units)
        scored.sort(key=lambda item: (item[0], item[1]))
        hits = [hit for _, _, hit in scored[:limit]]
        decision = "none" if is_probe(text) else decide(hits, bool(named))
        return SearchResult(hits, decision, named)


def decide(hits: list[Hit], names_role: bool = False) -> Decision:
    """Answer, offer buttons, or say what the bot can help with. A question that names a role
    ("what does an LLM engineer do") is about careers however weakly it matches: it is offered
    the closest cards rather than told it is off-topic."""
    if not hits:
        return "none"
    if not names_role and (
        hits[0].score < CHOOSE_AT or (hits[0].dense < CHOOSE_DENSE_AT and not hits[0].named)
    ):
        return "none"
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    top = hits[0]
    if (
        top.score >= ANSWER_AT
        and top.score - runner_up >= ANSWER_MARGIN
        and (top.dense >= ANSWER_DENSE_AT or top.named)
    ):
        return "answer"
    return "choose"
