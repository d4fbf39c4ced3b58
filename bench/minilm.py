"""all-MiniLM-L6-v2's sentence vectors, computed by its transformer in plain numpy.

The static table the bot ships (content/understanding/embed.py) gives each word one meaning
whatever its neighbours say; the transformer reads the whole sentence. This module is the
model's forward pass — BERT embeddings, 6 layers of 12-head self-attention and a GELU
feed-forward block, LayerNorm (eps 1e-12) — then mean pooling over the tokens and unit length,
exactly as sentence-transformers computes it (cosine 1.000000 on every pack and bench text with
float32 weights), from the weights tools/build_encoder.py exports into a folder. No torch, no
onnx: numpy matrix products on float32.

Used by bench/context_probe.py only. Measured in issue 10's fourth pass (bench/RESULTS.md):
better rankings on dev, but ~8 ms of one core per 14-token question, so the bot does not use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from content.understanding.embed import WordPiece

ENCODER_FILE = "encoder.npz"
ENCODER_VOCAB = "encoder-vocab.txt"
MAX_TOKENS = 256
"""sentence-transformers' max_seq_length for this model: longer texts are cut, as there."""
HEADS = 12
EPS = 1e-12
BATCH = 32

# Abramowitz & Stegun 7.1.26: erf within 1.5e-7, below float32's own rounding of GELU's input.
_P = 0.3275911
_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _erf(x: np.ndarray) -> np.ndarray:
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + _P * x)
    poly = t * (_A[0] + t * (_A[1] + t * (_A[2] + t * (_A[3] + t * _A[4]))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x) (numpy has no erf)."""
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + EPS) * gain + bias


def _weights(data: dict[str, np.ndarray], name: str) -> np.ndarray:
    """A matrix as float32: stored so, as float16, or as int8 with a scale per output."""
    matrix = data[name]
    if matrix.dtype == np.int8:
        return matrix.astype(np.float32) * data[f"{name}.scale"]
    return matrix.astype(np.float32)


class Layer:
    def __init__(self, data: dict[str, np.ndarray], n: int) -> None:
        p = f"layer{n}."
        self.qkv = _weights(data, p + "qkv")
        self.qkv_bias = data[p + "qkv_bias"]
        self.out = _weights(data, p + "out")
        self.out_bias = data[p + "out_bias"]
        self.norm1 = data[p + "norm1"]
        self.up = _weights(data, p + "up")
        self.up_bias = data[p + "up_bias"]
        self.down = _weights(data, p + "down")
        self.down_bias = data[p + "down_bias"]
        self.norm2 = data[p + "norm2"]

    def __call__(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """One block over a batch ``x`` (texts × tokens × 384); ``mask`` is 0 for real tokens
        and very negative for padding, added to every attention score."""
        b, n, d = x.shape
        head = d // HEADS
        qkv = (x @ self.qkv + self.qkv_bias).reshape(b, n, 3, HEADS, head)
        q = qkv[:, :, 0].transpose(0, 2, 1, 3)
        k = qkv[:, :, 1].transpose(0, 2, 3, 1)
        v = qkv[:, :, 2].transpose(0, 2, 1, 3)
        scores = (q @ k) * np.float32(1.0 / np.sqrt(head)) + mask[:, None, None, :]
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(b, n, d)
        x = _layer_norm(x + context @ self.out + self.out_bias, *self.norm1)
        hidden = _gelu(x @ self.up + self.up_bias)
        return _layer_norm(x + hidden @ self.down + self.down_bias, *self.norm2)


class Encoder:
    """Text to the unit-length sentence vector all-MiniLM-L6-v2 gives it (384 dimensions)."""

    def __init__(self, data: dict[str, np.ndarray], vocab: Sequence[str]) -> None:
        self.words = _weights(data, "words")
        if len(vocab) != len(self.words):
            raise ValueError(f"{len(vocab)} tokens for {len(self.words)} word vectors")
        self.positions = data["positions"].astype(np.float32)
        """Position embeddings with the (only) token type's embedding already added."""
        self.norm = data["norm"]
        self.layers = [Layer(data, n) for n in range(int(data["layers"]))]
        self.dims = int(self.words.shape[1])
        self.wordpiece = WordPiece(vocab)
        self._cls = self.wordpiece.ids["[CLS]"]
        self._sep = self.wordpiece.ids["[SEP]"]

    @classmethod
    def load(cls, folder: Path) -> Encoder:
        with np.load(folder / ENCODER_FILE, allow_pickle=False) as stored:
            data = {name: stored[name] for name in stored.files}
        vocab = (folder / ENCODER_VOCAB).read_text(encoding="utf-8").splitlines()
        return cls(data, vocab)

    def token_ids(self, text: str) -> list[int]:
        """[CLS], the text's WordPiece tokens (an unknown word is [UNK]), [SEP]; cut to
        :data:`MAX_TOKENS` as the original does."""
        ids = self.wordpiece.tokens(text, keep_unknown=True)[: MAX_TOKENS - 2]
        return [self._cls, *ids, self._sep]

    def embed(self, text: str) -> np.ndarray:
        return self.embed_many([text])[0]

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        """Texts in batches of similar length (little padding), each row unit length."""
        ids = [self.token_ids(text) for text in texts]
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            out[rows] = self._forward([ids[i] for i in rows])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        longest = max(len(ids) for ids in batch)
        tokens = np.zeros((len(batch), longest), dtype=np.intp)
        real = np.zeros((len(batch), longest), dtype=np.float32)
        for row, ids in enumerate(batch):
            tokens[row, : len(ids)] = ids
            real[row, : len(ids)] = 1.0
        mask = (1.0 - real) * np.float32(np.finfo(np.float32).min)
        x = _layer_norm(self.words[tokens] + self.positions[:longest], *self.norm)
        for layer in self.layers:
            x = layer(x, mask)
        pooled = (x * real[:, :, None]).sum(axis=1) / real.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)
