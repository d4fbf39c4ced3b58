"""The transformer's vectors of a set of units, and the file that keeps them between starts.

The cascade (content/search.py) re-scores a question the static matcher is unsure of with the
transformer's cosine in place of the static table's, blended over a unit's phrasings, centroid
and content exactly as ScopeIndex.dense blends the static one. Encoding a unit's texts costs
~2 ms each (~1 s for today's packs), so it is done once: the first time a question pays for the
transformer in a scope, or at start (``careerbot run``), and the vectors are saved next to the
content pool, keyed by the model and the code that tokenises, so a later start embeds nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from content.understanding.encoder import ContextEncoder
from content.understanding.scope import blend
from content.understanding.text import Markers
from content.understanding.units import Unit

CONTEXT_NAME = "content-context.npz"
log = logging.getLogger("careerbot.content")


class TextVectors:
    """Every unit text's transformer vector this process has needed, read from and written to
    ``path`` (when given) under a key of the model and the tokenising code."""

    def __init__(self, encoder: ContextEncoder, path: Path | None) -> None:
        self.encoder = encoder
        self.path = path
        self.key = _key(encoder)
        self._known: dict[str, np.ndarray] = {}
        self._dirty = False
        if path is not None and path.exists():
            self._read(path)

    def _read(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["key"]) != self.key:
                    return
                texts = data["texts"].tobytes().decode().split("\0")[:-1]
                vectors = data["vectors"]
            self._known = dict(zip(texts, vectors, strict=True))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            log.debug("context vectors %s not used: %s", path, exc)

    def many(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of ``texts`` (new ones encoded and kept)."""
        matrix = np.zeros((len(texts), self.encoder.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            vector = self._known.get(text)
            if vector is None:
                vector = self._known[text] = self.encoder.embed(text, remember=True)
                self._dirty = True
            matrix[row] = vector
        return matrix

    def save(self) -> None:
        """Write the file if anything new was encoded; readers see the old file or the new."""
        if self.path is None or not self._dirty:
            return
        texts = list(self._known)
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as out:
                np.savez(
                    out,
                    key=np.array(self.key),
                    texts=np.frombuffer("".join(f"{t}\0" for t in texts).encode(), np.uint8),
                    vectors=np.array([self._known[t] for t in texts], dtype=np.float32),
                )
            os.replace(partial, self.path)
            self._dirty = False
        except OSError as exc:
            log.warning("could not write the context vectors %s: %s", self.path, exc)
            partial.unlink(missing_ok=True)


class ContextUnits:
    """The transformer's dense score of each of ``units`` for a question's vector.

    Identical texts share one row, and identical centroids one row (as the pool shares the
    static vectors): the same role's units under many packs, or a phrasing several units use,
    cost one dot product per question."""

    def __init__(self, units: Sequence[Unit], markers: Markers, texts: TextVectors) -> None:
        asked = [(i, markers.strip(q, u.scope)) for i, u in enumerate(units) for q in u.questions]
        contents = [u.text for u in units]
        distinct = list(dict.fromkeys([*(q for _, q in asked), *contents]))
        row = {text: n for n, text in enumerate(distinct)}
        self.n = len(units)
        self.rows = texts.many(distinct)
        self.phrasing_unit = np.array([i for i, _ in asked], dtype=np.intp)
        self.phrasing_row = np.array([row[q] for _, q in asked], dtype=np.intp)
        self.content_row = np.array([row[t] for t in contents], dtype=np.intp)
        sums = np.zeros((self.n, self.rows.shape[1]), dtype=np.float32)
        np.add.at(sums, self.phrasing_unit, self.rows[self.phrasing_row])
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = sums / np.where(norms > 0, norms, 1.0)
        self.centroids, self.unit_centroid = np.unique(centroids, axis=0, return_inverse=True)
        self.unit_centroid = self.unit_centroid.reshape(-1)

        # Each unit's phrasings are one run (built unit by unit): where each run starts and ends.
        bounds = np.arange(self.n + 1)
        self.first_phrasing = np.searchsorted(self.phrasing_unit, bounds[:-1])
        self.end_phrasing = np.searchsorted(self.phrasing_unit, bounds[1:])

    def dense(self, vector: np.ndarray, only: Sequence[int] | None = None) -> np.ndarray:
        """Every unit's score, or with ``only`` those units' (the rest -inf): at 100 packs the
        whole matrix is ~40,000 rows, and the static ranking's best ten need a few dozen."""
        if only is None:
            cosine = self.rows @ vector
            return blend(
                self.n,
                self.phrasing_unit,
                cosine[self.phrasing_row],
                (self.centroids @ vector)[self.unit_centroid],
                cosine[self.content_row],
            )
        units = np.unique(np.asarray(only, dtype=np.intp))
        runs = [np.arange(self.first_phrasing[u], self.end_phrasing[u]) for u in units]
        picked = np.concatenate(runs) if runs else np.zeros(0, dtype=np.intp)
        which = np.searchsorted(units, self.phrasing_unit[picked])
        scores = np.full(self.n, -np.inf, dtype=np.float32)
        scores[units] = blend(
            len(units),
            which,
            _dots(self.rows[self.phrasing_row[picked]], vector),
            _dots(self.centroids[self.unit_centroid[units]], vector),
            _dots(self.rows[self.content_row[units]], vector),
        )
        return scores


def _dots(rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Each row's dot product, computed row by row the same way wherever the row sits: a matrix
    product's last bit can depend on a row's place in the block, and equal units in the pool
    and in their own role must tie exactly (their order then decides, as everywhere)."""
    return (rows * vector).sum(axis=1, dtype=np.float32)


def _key(encoder: ContextEncoder) -> str:
    """Changes with the model, or with the code that turns a text into its tokens."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(encoder.fingerprint.encode())
    package = Path(__file__).parent
    for name in ("embed.py", "encoder.py"):
        digest.update((package / name).read_bytes())
    return digest.hexdigest()
