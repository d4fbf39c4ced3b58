"""Ranking the units of the scopes a question searched, and the thresholds that decide on it.

Split from content/search.py: the static matcher and the cascade rank with the same function,
each with its own dense scores and weight, so both keep the same tie order (no hash order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from content.understanding.scope import EXACT_BONUS
from content.understanding.units import Unit


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When to answer, offer buttons or say what the bot can help with (tuned on dev only)."""

    answer_at: float
    """A top unit scoring this much is answered directly...  """
    margin: float
    """...when it beats the runner-up by at least this much...  """
    answer_dense_at: float
    """...and its meaning is close, not only its words ("test" shares a word with a FAQ)."""
    choose_at: float
    choose_dense_at: float
    """Below this score, or this cosine, nothing is close enough to offer: the question is
    treated as off-topic (the static cosine floor is 0: once "test" and "ping" are known for
    what they are, a floor cost more on-topic questions than it saved off-topic ones)."""


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
class Block:
    """The units of one scope searched (or of the pool) with their scores for a question."""

    context: str
    """Whose transformer vectors score these units: a scope id, or :data:`POOLED`."""
    strip: str
    """The scope whose role names are stripped from the question before embedding it."""
    units: list[Unit]
    lexical: np.ndarray
    dense: np.ndarray
    exact: list[int]
    """Units the question names outright."""
    keys: set[str] | None
    """The only unit keys searched here (None: all)."""


def rank(
    blocks: list[Block], dense: list[np.ndarray], weight: float, n: int
) -> list[tuple[tuple[int, int], Hit]]:
    """The ``n`` best units of all blocks by BM25 share + ``weight`` × ``dense``, each with its
    (block, unit) position; ties keep the blocks' order, then the units' (no hash order)."""
    scored: list[tuple[float, int, tuple[int, int], Hit]] = []
    order = 0
    for b, block in enumerate(blocks):
        fused = _fused(block, dense[b], weight)
        for i in top(fused, n + 1):
            if fused[i] == -np.inf:
                break
            i = int(i)
            hit = Hit(
                block.units[i],
                float(fused[i]),
                float(block.lexical[i]),
                float(dense[b][i]),
                i in block.exact,
            )
            scored.append((-hit.score, order + i, (b, i), hit))
        order += len(block.units)
    scored.sort(key=lambda item: (item[0], item[1]))
    return [(key, hit) for _, _, key, hit in scored[:n]]


def contenders(
    blocks: list[Block], dense: list[np.ndarray], weight: float, cutoff: float
) -> list[list[int]]:
    """Per block, the units scoring at least ``cutoff``: the ranking's best n and every unit
    tied with the n-th, so which of equal units make the cut never depends on how the units
    are split into blocks (the pool and each role in turn keep the same)."""
    return [
        np.flatnonzero(_fused(block, dense[b], weight) >= cutoff).tolist()
        for b, block in enumerate(blocks)
    ]


def _fused(block: Block, dense: np.ndarray, weight: float) -> np.ndarray:
    fused = block.lexical + weight * dense
    fused[block.exact] += EXACT_BONUS
    if block.keys is not None:
        keep = np.array([u.key in block.keys for u in block.units])
        fused = np.where(keep, fused, -np.inf)
    return fused


def top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` highest scores, best first, ties in index order (a stable sort of
    all of them, without sorting the thousands of units of a pool)."""
    if len(scores) <= 4 * n:
        return np.argsort(-scores, kind="stable")[:n]
    cut = np.partition(scores, len(scores) - n)[len(scores) - n]
    candidates = np.flatnonzero(scores >= cut)
    return candidates[np.lexsort((candidates, -scores[candidates]))][:n]
