"""Every role pack's units in one set of arrays, for the questions that no role narrows.

A person who has chosen no role and names none may be answered by any pack. Scoring each
pack's :class:`ScopeIndex` in turn walks every pack's postings in Python, and the first such
question had to build every pack's index. The pool holds the same numbers — each posting's BM25
contribution as its own scope computed it, each scope's idf for the ceiling, each phrasing's
vector — concatenated across packs, so a question costs a few numpy operations over the
postings of its own words and one matrix product, whatever the number of packs.

Scores equal the per-scope ones: the lexical half bit for bit (same contributions, added in the
same order; a misspelt word is corrected against each scope's own words, as a scope does), the
cosine within float32 rounding (identical vectors share one row, so units that tie in their own
scopes still tie here). The ranking is therefore the exhaustive search's.

A pool is saved next to the compiled packs, keyed by a hash of the units, the role names, this
package's code and the embedding table, so a start with unchanged content embeds nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from content.understanding.embed import StaticEmbedder
from content.understanding.scope import (
    K1,
    MIN_CEILING,
    ScopeIndex,
    Vocabulary,
    best_two,
    blend,
    closest,
    correctable,
)
from content.understanding.text import terms
from content.understanding.units import Unit

POOL_NAME = "content-pool.npz"
log = logging.getLogger("careerbot.content")

_DENSE = ("phrasing_rows", "phrasing_unit", "phrasing_row", "centroid_rows", "unit_centroid")
_DENSE += ("content_rows", "unit_content")


class Pool:
    """The units of many scopes (``scopes``, in search order), scored all at once."""

    def __init__(self, units: list[Unit], arrays: dict[str, np.ndarray]) -> None:
        self.units = units
        self.arrays = arrays
        self.scopes: list[str] = _strings(arrays["scopes"])
        self._unit_scope = arrays["unit_scope"]
        if len(self._unit_scope) != len(units):
            raise ValueError(f"{len(units)} units for a pool of {len(self._unit_scope)}")
        self._view_unit = arrays["view_unit"]
        self._view_weight = arrays["view_weight"]
        self._terms = {t: i for i, t in enumerate(_strings(arrays["terms"]))}
        self._post_start = arrays["post_start"]
        self._post_view = arrays["post_view"]
        self._post_contrib = arrays["post_contrib"]
        self._post_scope = self._unit_scope[self._view_unit[self._post_view]]
        self._idf_start = arrays["idf_start"]
        self._idf_scope = arrays["idf_scope"]
        self._idf = arrays["idf"]
        max_idf = arrays["max_idf"]
        self._unknown_idf = max_idf
        self._floor = MIN_CEILING * max_idf * (K1 + 1)
        self._vocab = Vocabulary(t for t in self._terms if t[0] not in "@#")
        self._code_units: dict[str, list[int]] = {}
        self._scope_codes: list[list[str]] = [[] for _ in self.scopes]
        for code, scope, unit in zip(
            _strings(arrays["code_text"]),
            arrays["code_scope"].tolist(),
            arrays["code_unit"].tolist(),
            strict=True,
        ):
            self._code_units.setdefault(code, []).append(unit)
            self._scope_codes[scope].append(code)
        self._phrases: dict[str, list[int]] = {}
        phrases = _strings(arrays["phrase_text"])
        for phrase, unit in zip(phrases, arrays["phrase_unit"].tolist(), strict=True):
            self._phrases.setdefault(phrase, []).append(unit)
        self._dense = all(name in arrays for name in _DENSE)
        self._spelled = lru_cache(maxsize=4096)(self._spelled_uncached)

    # -- building, saving, loading --------------------------------------------------------------

    @classmethod
    def build(cls, indexes: Sequence[ScopeIndex]) -> Pool:
        """The pool of these scope indexes, in this order (each index may be dropped after)."""
        units: list[Unit] = []
        unit_scope: list[int] = []
        view_unit: list[int] = []
        view_weight: list[float] = []
        postings: dict[str, list[tuple[int, float]]] = {}
        idf: dict[str, list[tuple[int, float]]] = {}
        codes: list[tuple[str, int, int]] = []
        phrases: list[tuple[str, int]] = []
        for s, index in enumerate(indexes):
            first_unit, first_view = len(units), len(view_unit)
            units += index.units
            unit_scope += [s] * len(index.units)
            view_unit += [first_unit + u for u in index.view_unit]
            view_weight += index.view_weight
            for term, found in index.postings.items():
                postings.setdefault(term, []).extend((first_view + v, c) for v, c in found)
            for term, value in index.idf.items():
                idf.setdefault(term, []).append((s, value))
            codes += [(code, s, first_unit + u) for code, u in index.codes]
            phrases += [(phrase, first_unit + u) for phrase, u in index.phrases.items()]
        words = sorted(postings)
        arrays: dict[str, np.ndarray] = {
            "scopes": _text([index.scope for index in indexes]),
            "unit_scope": np.array(unit_scope, dtype=np.int32),
            "view_unit": np.array(view_unit, dtype=np.int32),
            "view_weight": np.array(view_weight, dtype=np.float64),
            "terms": _text(words),
            "max_idf": np.array([index.max_idf for index in indexes], dtype=np.float64),
            "code_text": _text([c for c, _, _ in codes]),
            "code_scope": np.array([s for _, s, _ in codes], dtype=np.int32),
            "code_unit": np.array([u for _, _, u in codes], dtype=np.int32),
            "phrase_text": _text([p for p, _ in phrases]),
            "phrase_unit": np.array([u for _, u in phrases], dtype=np.int32),
        }
        flat = [postings[t] for t in words]
        arrays["post_start"] = _starts(flat)
        arrays["post_view"] = np.array([v for found in flat for v, _ in found], dtype=np.int32)
        arrays["post_contrib"] = np.array([c for found in flat for _, c in found], np.float64)
        known = [idf[t] for t in words]
        arrays["idf_start"] = _starts(known)
        arrays["idf_scope"] = np.array([s for found in known for s, _ in found], dtype=np.int32)
        arrays["idf"] = np.array([v for found in known for _, v in found], dtype=np.float64)
        with_units = [index for index in indexes if index.units]
        if with_units and all(index.vectors is not None for index in with_units):
            first = [0, *np.cumsum([len(index.units) for index in with_units])[:-1]]
            arrays["phrasing_unit"] = np.concatenate(
                [start + index.dense_unit for start, index in zip(first, with_units, strict=True)]
            )
            for name, rows, per in (
                ("vectors", "phrasing_rows", "phrasing_row"),
                ("centroids", "centroid_rows", "unit_centroid"),
                ("content_vectors", "content_rows", "unit_content"),
            ):
                arrays[rows], arrays[per] = _shared_rows([getattr(i, name) for i in with_units])
        return cls(units, arrays)

    def save(self, path: Path, key: str) -> None:
        """Write the pool under ``key``; readers see the old file or the new one, never half."""
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as out:
                np.savez(out, key=np.array(key), **self.arrays)
            os.replace(partial, path)
        except OSError as exc:
            log.warning("could not write the content pool %s: %s", path, exc)
            partial.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path, key: str, units: list[Unit]) -> Pool | None:
        """The pool saved at ``path`` if it was saved under ``key``, else None."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["key"]) != key:
                    return None
                arrays = {name: data[name] for name in data.files if name != "key"}
            return cls(units, arrays)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            # Missing, half-written or from another version: build it again.
            log.debug("content pool %s not used: %s", path, exc)
            return None

    # -- questions ------------------------------------------------------------------------------

    def scores(
        self, marked: str, squeezed: str, phrase: str, vector: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """Every unit's lexical and dense score, as its own scope would give them, and the units
        the question names outright. ``marked`` must name no role (no scope drops its own)."""
        found = [code for code in self._code_units if code in squeezed]
        lexical = self._lexical(terms(marked), found)
        if vector is None or not self._dense or not vector.any():
            dense = np.zeros(len(self.units), dtype=np.float32)
        else:
            a = self.arrays
            dense = blend(
                len(self.units),
                a["phrasing_unit"],
                (a["phrasing_rows"] @ vector)[a["phrasing_row"]],
                (a["centroid_rows"] @ vector)[a["unit_centroid"]],
                (a["content_rows"] @ vector)[a["unit_content"]],
            )
        exact = [u for code in found for u in self._code_units[code]]
        exact += self._phrases.get(phrase, [])
        return lexical, dense, sorted(set(exact))

    def _lexical(self, query: list[str], found: list[str]) -> np.ndarray:
        per_view = np.zeros(len(self._view_unit))
        ceiling = np.zeros(len(self.scopes))
        touched = np.zeros(len(self._view_unit), dtype=bool)
        for words, group in self._plan(query, found):
            total = np.zeros(len(self.scopes))
            for word in words:
                i = self._terms.get(word)
                row = self._unknown_idf.copy()
                if i is not None:
                    known = slice(self._idf_start[i], self._idf_start[i + 1])
                    row[self._idf_scope[known]] = self._idf[known]
                    posted = slice(self._post_start[i], self._post_start[i + 1])
                    views, contrib = self._post_view[posted], self._post_contrib[posted]
                    if group is not None:
                        keep = group[self._post_scope[posted]]
                        views, contrib = views[keep], contrib[keep]
                    np.add.at(per_view, views, contrib)
                    touched[views] = True
                total = total + row * (K1 + 1)
            total = np.maximum(total, self._floor)
            if group is None:
                ceiling = total
            else:
                ceiling[group] = total[group]
        views = np.flatnonzero(touched)
        weighted = per_view[views] * self._view_weight[views]
        best = best_two(len(self.units), self._view_unit[views], weighted)
        return best / ceiling[self._unit_scope]

    def _plan(
        self, query: list[str], found: list[str]
    ) -> list[tuple[tuple[str, ...], np.ndarray | None]]:
        """Groups of scopes that look up the same words, as ScopeIndex.lexical would choose
        them: a scope's own codes first, then each word, or its own correction of it."""
        spelled = [self._spelled(word) for word in query]
        coded = found and [s for s, mine in enumerate(self._scope_codes) if set(mine) & set(found)]
        if not coded and all(isinstance(word, str) for word in spelled):
            return [(tuple(dict.fromkeys(spelled)), None)]  # type: ignore[arg-type]
        groups: dict[tuple[str, ...], list[int]] = {}
        for s in range(len(self.scopes)):
            codes = [f"#{c}" for c in self._scope_codes[s] if c in found]
            wanted = list(codes)
            for word, spelt in zip(query, spelled, strict=True):
                if codes and any(word in code for code in codes):
                    continue  # a piece of a code already found ("ai", "102" of "AI-102")
                wanted.append(spelt if isinstance(spelt, str) else spelt[s])
            groups.setdefault(tuple(dict.fromkeys(wanted)), []).append(s)
        plan: list[tuple[tuple[str, ...], np.ndarray | None]] = []
        for words, members in groups.items():
            group = np.zeros(len(self.scopes), dtype=bool)
            group[members] = True
            plan.append((words, group))
        return plan

    def _known(self, word: str) -> np.ndarray:
        known = np.zeros(len(self.scopes), dtype=bool)
        i = self._terms.get(word)
        if i is not None:
            known[self._idf_scope[self._idf_start[i] : self._idf_start[i + 1]]] = True
        return known

    def _spelled_uncached(self, word: str) -> str | tuple[str, ...]:
        """The word each scope looks up: itself where known, else that scope's correction of
        it (the best matches among all scopes' words, kept to the scope's own). One string
        when every scope looks up the same, else one per scope."""
        if word[0] in "@#" or not correctable(word):
            return word
        known = self._known(word)
        if known.all():
            return word
        close = self._vocab.close(word)
        if not close:
            return word
        where = [self._known(c) for c in close]
        per_scope = [
            word
            if known[s]
            else closest(word, [c for c, w in zip(close, where, strict=True) if w[s]][:3]) or word
            for s in range(len(self.scopes))
        ]
        return per_scope[0] if len(set(per_scope)) == 1 else tuple(per_scope)


def pool_key(units: list[Unit], role_names: dict[str, str], embedder: StaticEmbedder | None) -> str:
    """Changes whenever a unit, a role name, the matching code or the embedding table does."""
    digest = hashlib.blake2b(digest_size=32)
    package = Path(__file__).parent
    for code in sorted(package.glob("*.py")):
        digest.update(code.name.encode() + b"\0" + code.read_bytes())
    digest.update(repr(sorted(role_names.items())).encode())
    digest.update(repr(units).encode())
    digest.update(_table_hash(embedder))
    digest.update(f"{sys.byteorder} {np.__version__}".encode())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _table_hash(embedder: StaticEmbedder | None) -> bytes:
    """Hashing the table takes ~30 ms: once per embedder (they live as long as the process)."""
    if embedder is None:
        return b"no vectors"
    return hashlib.blake2b(np.ascontiguousarray(embedder.vectors).data).digest()


def _text(strings: Sequence[str]) -> np.ndarray:
    """Strings as one array of UTF-8 bytes (numpy's own text arrays take 4 bytes a character,
    each padded to the longest)."""
    return np.frombuffer("".join(f"{s}\n" for s in strings).encode(), dtype=np.uint8)


def _strings(text: np.ndarray) -> list[str]:
    return text.tobytes().decode().split("\n")[:-1]


def _starts(lists: Sequence[Sequence[object]]) -> np.ndarray:
    return np.concatenate(([0], np.cumsum([len(x) for x in lists], dtype=np.int64)))


def _shared_rows(blocks: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of these blocks stacked, and each original row's index among them."""
    seen: dict[bytes, int] = {}
    rows: list[np.ndarray] = []
    index: list[int] = []
    for block in blocks:
        for row in block:
            key = row.tobytes()
            i = seen.get(key)
            if i is None:
                i = seen[key] = len(rows)
                rows.append(row)
            index.append(i)
    dims = blocks[0].shape[1]
    return np.array(rows, dtype=np.float32).reshape(-1, dims), np.array(index, dtype=np.int32)
