"""The numpy forward pass of bench/minilm.py (issue 10's contextual probe), on a tiny random
model: the real weights are not in the repository (tools/build_encoder.py exports them and
checks them against sentence-transformers), so these check the arithmetic against a plain
reference written independently, one token and one head at a time."""

from __future__ import annotations

import math

import numpy as np

from bench.context_probe import Mixed
from bench.minilm import HEADS, MAX_TOKENS, Encoder, _erf
from content.understanding.embed import WordPiece

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "ml", "##e", "engineer", "pay", "risk", "?", "a"]
DIMS = 24
LAYERS = 2


def _tiny() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)

    def m(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    data = {
        "words": m(len(VOCAB), DIMS),
        "positions": m(MAX_TOKENS, DIMS),
        "norm": np.stack([1 + m(DIMS) / 5, m(DIMS) / 5]),
        "layers": np.array(LAYERS),
    }
    for n in range(LAYERS):
        p = f"layer{n}."
        data |= {
            p + "qkv": m(DIMS, 3 * DIMS),
            p + "qkv_bias": m(3 * DIMS),
            p + "out": m(DIMS, DIMS),
            p + "out_bias": m(DIMS),
            p + "norm1": np.stack([1 + m(DIMS) / 5, m(DIMS) / 5]),
            p + "up": m(DIMS, 4 * DIMS),
            p + "up_bias": m(4 * DIMS),
            p + "down": m(4 * DIMS, DIMS),
            p + "down_bias": m(DIMS),
            p + "norm2": np.stack([1 + m(DIMS) / 5, m(DIMS) / 5]),
        }
    return data


def _reference(data: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """BERT written out plainly in float64: per token, per head, math.erf for GELU."""

    def norm(x: np.ndarray, gb: np.ndarray) -> np.ndarray:
        return (x - x.mean()) / math.sqrt(x.var() + 1e-12) * gb[0] + gb[1]

    d = {k: v.astype(np.float64) for k, v in data.items()}
    xs = [norm(d["words"][t] + d["positions"][i], d["norm"]) for i, t in enumerate(ids)]
    head = DIMS // HEADS
    for n in range(LAYERS):
        p = f"layer{n}."
        qkv = [x @ d[p + "qkv"] + d[p + "qkv_bias"] for x in xs]
        out = []
        for i, x in enumerate(xs):
            context = np.zeros(DIMS)
            for h in range(HEADS):
                cut = slice(h * head, (h + 1) * head)
                q = qkv[i][cut]
                scores = [q @ qkv[j][DIMS:][cut] / math.sqrt(head) for j in range(len(xs))]
                weights = np.exp(np.array(scores) - max(scores))
                weights /= weights.sum()
                context[cut] = sum(w * qkv[j][2 * DIMS :][cut] for j, w in enumerate(weights))
            x = norm(x + context @ d[p + "out"] + d[p + "out_bias"], d[p + "norm1"])
            up = x @ d[p + "up"] + d[p + "up_bias"]
            gelu = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in up])
            out.append(norm(x + gelu @ d[p + "down"] + d[p + "down_bias"], d[p + "norm2"]))
        xs = out
    pooled = np.mean(xs, axis=0)
    return pooled / np.linalg.norm(pooled)


def test_erf_is_within_float32_rounding() -> None:
    xs = np.linspace(-6, 6, 2001)
    assert np.abs(_erf(xs) - np.array([math.erf(x) for x in xs])).max() < 2e-7


def test_the_forward_pass_matches_a_plain_reference() -> None:
    data = _tiny()
    encoder = Encoder(data, VOCAB)
    for text in ["ml engineer pay?", "risk", "mle risk a a engineer"]:
        ids = encoder.token_ids(text)
        assert ids[0] == VOCAB.index("[CLS]") and ids[-1] == VOCAB.index("[SEP]")
        assert np.allclose(encoder.embed(text), _reference(data, ids), atol=1e-5), text


def test_padding_in_a_batch_changes_no_vector() -> None:
    encoder = Encoder(_tiny(), VOCAB)
    texts = ["risk", "ml engineer pay? " * 5, "a", "mle"]
    together = encoder.embed_many(texts)
    alone = np.array([encoder.embed(t) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_a_long_text_is_cut_and_an_unknown_word_is_one_unknown_token() -> None:
    encoder = Encoder(_tiny(), VOCAB)
    assert len(encoder.token_ids("risk " * 1000)) == MAX_TOKENS
    unknown = VOCAB.index("[UNK]")
    assert encoder.token_ids("pay zzz mle") == [2, 7, unknown, 4, 5, 3]
    assert WordPiece(VOCAB).tokens("pay zzz mle") == [7, 4, 5]  # the static table drops it


def test_a_mixed_vector_dot_product_is_the_mixed_cosine() -> None:
    class Fixed:
        def __init__(self, rows: dict[str, np.ndarray]) -> None:
            self.rows, self.dims = rows, len(next(iter(rows.values())))

        def embed_many(self, texts: list[str]) -> np.ndarray:
            return np.array([self.rows[t] for t in texts], dtype=np.float32)

    rng = np.random.default_rng(1)
    unit = {
        t: v / np.linalg.norm(v) for t, v in (("a", rng.normal(size=4)), ("b", rng.normal(size=4)))
    }
    other = {
        t: v / np.linalg.norm(v) for t, v in (("a", rng.normal(size=6)), ("b", rng.normal(size=6)))
    }
    mixed = Mixed(Fixed(unit), Fixed(other), 0.3)  # type: ignore[arg-type]
    a, b = mixed.embed_many(["a", "b"])
    assert math.isclose(
        float(a @ b), 0.7 * unit["a"] @ unit["b"] + 0.3 * other["a"] @ other["b"], abs_tol=1e-6
    )
