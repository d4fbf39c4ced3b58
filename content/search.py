"""Answering free text from the content: role names with typos, and questions to units.

Every answerable thing is a unit (content/understanding/units.py): each FAQ, each section of a
pack, each certification, each comparison with a neighbouring role, and whatever other modules
register with :meth:`ContentIndex.add_units`. A question is scored against the units of the
roles it names, else of the chosen role, else of every role (plus the shared units), by the sum
of a corrected BM25 share and the cosine of static MiniLM sentence vectors (every role's units
at once through the pool, content/understanding/pool.py, which gives the same scores without
walking each role's index). The caller answers only a clear winner; a close call gets the three
closest as buttons, and a question that matches nothing well gets a short "here is what I can
help with".

A cascade (issue 10, sixth pass): when that static decision is not a direct answer, the real
MiniLM transformer (content/understanding/encoder.py, ~2 ms on one core) embeds the question and
every unit searched is scored again with its cosine in place of the static one, and the decision
is made again with thresholds of its own. Only the unsure questions pay for it (about half of
all messages); a confident static answer, or "test", never does. Without the model the static
matcher answers alone.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from content.loader import Library
from content.schema import RolePack, slug_words
from content.understanding.context import CONTEXT_NAME, ContextUnits, TextVectors
from content.understanding.embed import StaticEmbedder
from content.understanding.encoder import ContextEncoder, default_encoder
from content.understanding.pool import POOL_NAME, Pool, pool_key
from content.understanding.rank import Block, Decision, Hit, Thresholds, contenders, rank
from content.understanding.scope import ScopeIndex, plain
from content.understanding.smalltalk import is_probe
from content.understanding.text import Markers, compact
from content.understanding.units import SHARED, Unit, pack_units

DENSE_WEIGHT = 1.25
"""Weight of the cosine beside the BM25 share (each is 0..1), tuned on the dev split."""
CASCADE_WEIGHT = 2.5
"""Weight of the transformer's cosine when it re-scores a question (issue 10's fourth pass:
dev top-1 0.924 → 0.943 on a plateau of weights 2.5–3)."""
CASCADE_DEPTH: int | None = 10
"""How many of the static ranking's best units the transformer re-scores (None: every unit
searched). The same dev and held-out figures as every unit (sixth pass), and at 100 distinct
packs every unit is ~40,000 vectors a question: 13.7 ms p50 where ten take a few dozen."""
CASCADE_MAX_CHARS = 300
"""A longer message is not re-scored: its forward pass grows with its length (a 1,000-character
message took 35 ms) and the event loop waits for it. Questions are short: the bench's longest
has 65 characters."""
CASCADE_MAX_UNITS = 1000
"""A search over more units than this (no role chosen, about 30 full packs or more; one full
pack has ~35 units) keeps the static decision: at 100 distinct packs (3,500 units) the re-scored
questions took the p99 past 10 ms on one core (13.4 ms). Choosing a role, or a question naming
one, searches that role's units and is re-scored as usual."""
CASCADE_MAX_PASSES = 2
"""A message naming more roles than this (each role's names stripped makes another query, so
another forward pass) is not re-scored either."""
RESCORE_LEAD = 0.0
"""A static direct answer leading the runner-up by less than this is re-scored too (0: a
static direct answer never is)."""
RESCORE_BELOW = 0.0
"""A static direct answer scoring less than this is re-scored too (0: never)."""


STATIC = Thresholds(
    answer_at=1.1, margin=0.15, answer_dense_at=0.5, choose_at=0.85, choose_dense_at=0.0
)
"""For the static matcher's own scores (BM25 share + 1.25 × static cosine)."""
CASCADE = Thresholds(
    answer_at=1.3, margin=0.3, answer_dense_at=0.5, choose_at=0.9, choose_dense_at=0.3
)
"""For a question the transformer re-scored (BM25 share + 2.5 × its cosine)."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    decision: Decision
    roles: list[str]
    """Ids of the roles the question named, in order of mention."""
    cascaded: bool = False
    """The transformer re-scored this question (the static matcher was unsure)."""

    @property
    def confident(self) -> bool:
        return self.decision == "answer"


def _uses_word(name: str, word: str) -> bool:
    """Whether ``name`` has ``word`` as a word, or (from four letters) begins a word with it:
    "ml engineers" and "ai engineering" use "engineer"; "mle" does not use "ml"."""
    return any(w == word or (len(word) >= 4 and w.startswith(word)) for w in name.split())


class ContentIndex:
    """All units of a library, indexed scope by scope; a scope is built the first time a
    question reaches it (or all at once with :meth:`warm`). Questions that every role may
    answer go to the pool of all roles' units instead, built the first time one comes, or
    read from ``cache_dir`` when it was saved there for the same units."""

    def __init__(
        self,
        library: Library,
        embedder: StaticEmbedder | Literal["default"] | None = "default",
        cache_dir: Path | None = None,
        pooled: bool = True,
        encoder: ContextEncoder | Literal["default"] | None = "default",
    ) -> None:
        self.library = library
        self.embedder = StaticEmbedder.load() if embedder == "default" else embedder
        # The transformer re-scores the dense part: an index without vectors has none. The
        # shipped one is loaded when first needed, so a process that only sends nudges never
        # holds it (~40 MB).
        self._encoder = None if encoder == "default" else encoder
        self._encoder_to_load = encoder == "default" and self.embedder is not None
        self._texts_file = cache_dir / CONTEXT_NAME if cache_dir is not None else None
        self._text_vectors: TextVectors | None = None
        self._context: dict[str, ContextUnits] = {}
        """The transformer's vectors per scope ("*" for the pool), built when first needed."""
        self._names = sorted(library.names, key=len, reverse=True)
        self._markers = Markers(self._markers_names())
        self._titles = {p.id: p.title for p in library.packs}
        self._extra: dict[str, list[Unit]] = {}
        self._scopes: dict[str, ScopeIndex] = {}
        self.resolve_role = lru_cache(maxsize=4096)(self._resolve_role_uncached)
        self._pooled = pooled
        """False searches every role's scope in turn: the reference the pool must equal."""
        self._pool_file = cache_dir / POOL_NAME if cache_dir is not None else None
        self._pool: Pool | None = None
        if self._pool_file is not None and pooled and self._pool_file.exists():
            units = self._pool_units()
            self._pool = Pool.load(self._pool_file, self._pool_key(units), units)

    @property
    def encoder(self) -> ContextEncoder | None:
        """The transformer, or None without it (loaded on first use; see ``__init__``)."""
        if self._encoder_to_load:
            self._encoder_to_load = False
            self._encoder = default_encoder()
        return self._encoder

    @property
    def _texts(self) -> TextVectors | None:
        if self._text_vectors is None and self.encoder is not None:
            self._text_vectors = TextVectors(self.encoder, self._texts_file)
        return self._text_vectors

    # -- units ----------------------------------------------------------------------------------

    def add_units(self, units: Iterable[Unit]) -> None:
        """Make more units answerable (e.g. occupations, in :data:`SHARED` scope)."""
        for unit in units:
            self._extra.setdefault(unit.scope, []).append(unit)
            self._scopes.pop(unit.scope, None)
            self._context.pop(unit.scope, None)
        self._pool = None
        self._context.pop(POOLED, None)

    def scope_ids(self) -> list[str]:
        ids = [p.id for p in self.library.packs]
        return ids + [s for s in self._extra if s not in ids]

    def scope(self, scope: str) -> ScopeIndex:
        index = self._scopes.get(scope)
        if index is None:
            index = ScopeIndex(scope, self._units_of(scope), self._markers, self.embedder)
            self._scopes[scope] = index
        return index

    def _units_of(self, scope: str) -> list[Unit]:
        pack = self.library.get(scope) if scope else None
        units = pack_units(pack, self._titles) if pack is not None else []
        return units + self._extra.get(scope, [])

    def pool(self) -> Pool:
        """Every role's units in one index (not the shared ones), for questions any role may
        answer. Built from each role's scope in turn, none of them kept; saved when the index
        has a cache folder."""
        if self._pool is None:
            ids = [p.id for p in self.library.packs]
            self._pool = Pool.build(
                [ScopeIndex(i, self._units_of(i), self._markers, self.embedder) for i in ids]
            )
            if self._pool_file is not None:
                self._pool.save(self._pool_file, self._pool_key(self._pool.units))
        return self._pool

    def _pool_units(self) -> list[Unit]:
        return [u for p in self.library.packs for u in self._units_of(p.id)]

    def _pool_key(self, units: list[Unit]) -> str:
        return pool_key(units, self._markers_names(), self.embedder)

    def _markers_names(self) -> dict[str, str]:
        return {n: self.library.names[n] for n in self._names if len(n) >= 3}

    def warm(self) -> None:
        for scope in self.scope_ids():
            self.scope(scope)

    def context(self, scope: str) -> ContextUnits | None:
        """The transformer's vectors of a scope's units (:data:`POOLED`: the pool's), or None
        without the transformer."""
        if self._texts is None:
            return None
        found = self._context.get(scope)
        if found is None:
            units = self.pool().units if scope == POOLED else self._units_of(scope)
            found = self._context[scope] = ContextUnits(units, self._markers, self._texts)
            self._texts.save()  # the terminal chat builds them lazily: keep them for next time
        return found

    def prepare(self) -> None:
        """Everything a question may need, read from the cache folder or built and saved there
        once: the pool, and the transformer's vectors of every unit (``careerbot run`` calls it
        at start, so no person's question waits for them)."""
        self.pool()
        if self._texts is not None:
            for scope in [POOLED, *self.scope_ids()]:
                self.context(scope)

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
        candidates = sorted(names)
        if " " not in wanted and len({names[n] for n in names if _uses_word(n, wanted)}) > 1:
            # A word several roles' names use ("engineer", "ml") is no typo of one of them.
            candidates = [n for n in candidates if not _uses_word(n, wanted)]
        close = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.8)
        return self.library.get(names[close[0]]) if close else None

    def role_by_word(self, text: str) -> RolePack | None:
        """The one role whose names use the single word ``text`` ("llm"), if only one does. Not
        part of :meth:`resolve_role`: many such words are jobs too ("model", "learning"), so
        callers ask only once the occupation look-up found nothing."""
        wanted = slug_words(text)
        if not wanted or " " in wanted:
            return None
        names = self.library.names
        owners = {role for name, role in names.items() if wanted in name.split()}
        return self.library.get(owners.pop()) if len(owners) == 1 else None

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
        searched: the roles the question names, else the chosen role, else every role (and
        a role whose name is part of a certification's name the question uses)."""
        named = self._markers.roles(text)
        inside = [r for r in self._markers.in_credentials(text) if r not in named and r != role_id]
        only: dict[str, set[str]] = {}
        """Scopes searched for some units only: the chosen role's comparisons with the roles
        the question names ("how does this compare with ML engineering?")."""
        if named:
            scopes = list(named)
            if role_id is not None and role_id not in named:
                scopes.append(role_id)
                only[role_id] = {f"compare:{other}" for other in named}
            scopes += inside
        elif role_id is not None:
            scopes = [role_id, *inside]
        else:
            scopes = [p.id for p in self.library.packs]
        marked = self._markers.mark(text)
        squeezed = compact(text)
        vectors: dict[str, np.ndarray] = {}

        def vector(scope_id: str) -> np.ndarray | None:
            if self.embedder is None:
                return None
            stripped = self._markers.strip(text, scope_id or None)
            if stripped not in vectors:
                vectors[stripped] = self.embedder.embed(stripped)
            return vectors[stripped]

        blocks: list[Block] = []
        if not named and role_id is None and self._pooled and self.library.packs:
            pool = self.pool()
            lexical, dense, exact = pool.scores(
                marked, squeezed, plain(text), vector(pool.scopes[0])
            )
            blocks.append(Block(POOLED, pool.scopes[0], pool.units, lexical, dense, exact, None))
            scopes = []
        if SHARED in self._extra:
            scopes = [*scopes, SHARED]
        for scope_id in scopes:
            index = self.scope(scope_id)
            if not index.units:
                continue
            query = vector(scope_id)
            dense = (
                index.dense(query)
                if query is not None
                else np.zeros(len(index.units), dtype=np.float32)
            )
            exact = index.exact(text, squeezed)
            lexical = index.lexical(marked, squeezed)
            blocks.append(
                Block(scope_id, scope_id, index.units, lexical, dense, exact, only.get(scope_id))
            )
        depth = max(limit, CASCADE_DEPTH or 0)
        ranked = rank(blocks, [b.dense for b in blocks], DENSE_WEIGHT, depth)
        hits = [hit for _, hit in ranked[:limit]]
        probe = is_probe(text)
        decision = "none" if probe else decide(hits, bool(named))
        if (
            (decision == "answer" and not _thin(hits))
            or probe
            or not blocks
            or _verbatim(text, hits)
        ):
            return SearchResult(hits, decision, named)
        best = (
            None  # every unit searched competes
            if CASCADE_DEPTH is None or len(ranked) < CASCADE_DEPTH
            else contenders(
                blocks,
                [b.dense for b in blocks],
                DENSE_WEIGHT,
                ranked[CASCADE_DEPTH - 1][1].score - 1e-5,
            )
        )
        contextual = self._rescored_dense(text, blocks, best)
        if contextual is None:
            return SearchResult(hits, decision, named)
        hits = [hit for _, hit in rank(blocks, contextual, CASCADE_WEIGHT, limit)]
        return SearchResult(hits, decide(hits, bool(named), CASCADE), named, cascaded=True)

    def _rescored_dense(
        self, text: str, blocks: list[Block], best: list[list[int]] | None
    ) -> list[np.ndarray] | None:
        """Each block's units' dense score by the transformer (None without it). The question
        is embedded as the static matcher embeds it, stripped of the searched role's names."""
        if len(text) > CASCADE_MAX_CHARS or sum(len(b.units) for b in blocks) > CASCADE_MAX_UNITS:
            return None
        if self.encoder is None:
            return None
        queries = [self._markers.strip(text, block.strip or None) for block in blocks]
        if len(set(queries)) > CASCADE_MAX_PASSES:
            return None
        out: list[np.ndarray] = []
        questions: dict[str, np.ndarray] = {}
        for b, (block, query) in enumerate(zip(blocks, queries, strict=True)):
            context = self.context(block.context)
            if context is None:
                return None
            if query not in questions:
                questions[query] = self.encoder.embed(query)
            out.append(context.dense(questions[query], None if best is None else best[b]))
        return out


def _thin(hits: list[Hit]) -> bool:
    """A static direct answer whose lead or score is too thin to keep without re-scoring."""
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    return hits[0].score - runner_up < RESCORE_LEAD or hits[0].score < RESCORE_BELOW


def _verbatim(text: str, hits: list[Hit]) -> bool:
    """The question is word for word one of the leading unit's own phrasings: the pack says
    what it asks, which no re-scoring can know better ("is ai-900 still worth taking" is the
    first-certification FAQ's, though the AI-900 card matches its meaning)."""
    return bool(hits) and plain(text) in {plain(q) for q in hits[0].unit.questions}


POOLED = "*"
"""The pool's key among the per-scope transformer vectors (no scope id is "*")."""


def decide(hits: list[Hit], names_role: bool = False, limits: Thresholds | None = None) -> Decision:
    """Answer, offer buttons, or say what the bot can help with. A question that names a role
    ("what does an LLM engineer do") is about careers however weakly it matches: it is offered
    the closest cards rather than told it is off-topic."""
    if not hits:
        return "none"
    limits = limits or STATIC
    if not names_role and (
        hits[0].score < limits.choose_at
        or (hits[0].dense < limits.choose_dense_at and not hits[0].named)
    ):
        return "none"
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    top = hits[0]
    if (
        top.score >= limits.answer_at
        and top.score - runner_up >= limits.margin
        and (top.dense >= limits.answer_dense_at or top.named)
    ):
        return "answer"
    return "choose"
