"""Sentence vectors from a static word-embedding table, in plain Python and numpy.

The table (model/vectors.npy, built once by tools/build_embeddings.py) holds one vector per
WordPiece token of all-MiniLM-L6-v2, distilled with model2vec and stored as int8 rows with a
scale each (half the size of float16, with no measurable change in matching). A sentence's
vector is the mean of its tokens' rows, so embedding a question costs a dictionary walk and one
small numpy sum: no torch, no tokenizer library, nothing fetched at run time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).with_name("model")
_MAX_WORD = 100
"""Longer words are one unknown token, as in the original tokenizer."""


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _normalize(text: str) -> str:
    """BERT's uncased normalisation: drop control characters, lower-case, strip accents, and
    space out punctuation and CJK characters so each becomes a word of its own."""
    if text.isascii():
        return _ASCII_PUNCTUATION.sub(r" \1 ", _ASCII_CONTROL.sub("", text.lower()))
    text = unicodedata.normalize("NFD", text.lower())
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char == "\x00" or char == "\ufffd" or category == "Mn":
            continue
        if category in ("Cc", "Cf") and char not in "\t\n\r":
            continue
        code = ord(char)
        if _is_punctuation(char) or 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            out.append(f" {char} ")
        else:
            out.append(char)
    return "".join(out)


class WordPiece:
    """BERT's uncased WordPiece tokenizer over one vocabulary (line n of vocab.txt is id n)."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.ids = {token: i for i, token in enumerate(vocab)}
        self.unknown = self.ids.get("[UNK]")
        self.word_ids = lru_cache(maxsize=16384)(self._word_ids_uncached)

    def _word_ids_uncached(self, word: str) -> tuple[int, ...] | None:
        """Greedy longest-match pieces of one word, None when it cannot be spelled from them
        (the original tokenizer then emits one unknown token for the whole word)."""
        if len(word) > _MAX_WORD:
            return None
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else f"##{word[start:end]}"
                if piece in self.ids:
                    found = self.ids[piece]
                    break
                end -= 1
            if found is None:
                return None
            ids.append(found)
            start = end
        return tuple(ids)

    def tokens(self, text: str, keep_unknown: bool = False) -> list[int]:
        """The token ids of a text; an unknown word is one unknown token, or (by default)
        dropped."""
        ids: list[int] = []
        unknown = (self.unknown,) if keep_unknown and self.unknown is not None else ()
        for word in _normalize(text).split():
            found = self.word_ids(word)
            ids.extend(unknown if found is None else found)
        return ids if keep_unknown else [i for i in ids if i != self.unknown]


class StaticEmbedder:
    """Maps text to unit-length vectors; texts are tokenized exactly as the source model does."""

    def __init__(self, vectors: np.ndarray, vocab: Sequence[str]) -> None:
        if len(vocab) != len(vectors):
            raise ValueError(f"{len(vocab)} tokens for {len(vectors)} vectors")
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.dims = int(self.vectors.shape[1])
        self._wordpiece = WordPiece(vocab)

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> StaticEmbedder:
        vectors = np.load(folder / "vectors.npy")
        if (folder / "scales.npy").exists():
            vectors = vectors.astype(np.float32) * np.load(folder / "scales.npy")[:, None]
        return cls(vectors, cls.vocabulary(folder)[: len(vectors)])

    @staticmethod
    def vocabulary(folder: Path = MODEL_DIR) -> list[str]:
        """The table's tokens, line n of vocab.txt being row n (the transformer shares them)."""
        vocab = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n")
        return vocab[:-1] if vocab and vocab[-1] == "" else vocab

    def token_ids(self, text: str) -> list[int]:
        """A word that cannot be spelled from pieces is dropped (the unknown token carries no
        meaning in a static table)."""
        return self._wordpiece.tokens(text)

    def embed(self, text: str) -> np.ndarray:
        """The mean token vector scaled to unit length; all zeros when no token is known."""
        ids = self.token_ids(text)
        if not ids:
            return np.zeros(self.dims, dtype=np.float32)
        vector = self.vectors[ids].mean(axis=0)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        """Many texts at once: one gather and one segmented sum instead of a mean per text."""
        matrix = np.zeros((len(texts), self.dims), dtype=np.float32)
        ids = [self.token_ids(text) for text in texts]
        rows = [row for row, found in enumerate(ids) if found]
        if not rows:
            return matrix
        lengths = np.array([len(ids[row]) for row in rows])
        flat = np.fromiter((i for row in rows for i in ids[row]), dtype=np.intp)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        sums = np.add.reduceat(self.vectors[flat], starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        matrix[rows] = sums / np.where(norms > 0, norms, 1.0)
        return matrix
