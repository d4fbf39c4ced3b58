"""Would the real MiniLM transformer rank better than the static table? Dev figures only.

Issue 10, fourth pass (bench/RESULTS.md). The contextual sentence vector of all-MiniLM-L6-v2
(bench/minilm.py, the model's forward pass in numpy, weights exported by
tools/build_encoder.py into a folder) is tried in the matcher's dense score in two ways: in
place of the static table's cosine, and beside it (dense = (1 - mix) × static + mix ×
contextual, each part blended over phrasings, centroid and content exactly as today), over a
sweep of fusion weights. For each: dev top-1 and MRR@3 (ranking only: the thresholds were tuned
for the static cosine, so the direct-answer figures are not comparable until re-tuned), and the
packs' own phrasings each asked against an index without it (bench/embed_probe.py's check).
Never the test half. ``--time`` measures what the transformer would cost per question.
Measured 2026-11-30 and not shipped: better on dev, but ~8 ms of CPU per question on one core.
Fifth pass: ``--cascade`` runs bench/cascade.py (the transformer only for questions the static
matcher does not answer directly), ``--cascade-time`` times it, and ``--vectors`` scores another
runtime's vectors (tools/onnx_encoder.py writes them; ``--onnx`` times that runtime live).

Needs the exported weights, which need the throwaway build venv once (see
tools/build_encoder.py); the probe itself runs in the project's venv:

    /tmp/st-venv/bin/python tools/build_encoder.py --storage float32 --out /tmp/minilm-f32
    .venv/bin/python -m bench.context_probe /tmp/minilm-f32 [--held-out] [--cv] [--tune]
    taskset -c 0 .venv/bin/python -m bench.context_probe /tmp/minilm-f32 --time 2.5
    .venv/bin/python -m bench.context_probe /tmp/minilm-f32 --cascade --held-out --mixes 1 \
        --weights 2.5
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 .venv/bin/python -m bench.context_probe \
        /tmp/minilm-f32 --cascade-time 10 0 --mixes 1 --weights 2.5
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import content.search as search
import content.understanding.scope as scope
from bench import cascade
from bench.embed_probe import held_out
from bench.faq_eval import cross_validate, evaluate, load_questions, overall, tune
from bench.minilm import Encoder
from content.loader import Library, load_library
from content.search import ContentIndex
from content.understanding.embed import StaticEmbedder

WEIGHTS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
MIXES = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Share of the contextual cosine in the dense score: 0 is today's matcher, 1 replaces it."""
Embed = Callable[[str], np.ndarray]


class Cached:
    """An embedder that remembers every text's vector (the held-out check rebuilds indexes)."""

    def __init__(self, inner: StaticEmbedder | Encoder) -> None:
        self.inner = inner
        self.dims = inner.dims
        self.seen: dict[str, np.ndarray] = {}

    def embed(self, text: str) -> np.ndarray:
        return self.embed_many([text])[0]

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if new:
            self.seen.update(zip(new, self.inner.embed_many(new), strict=True))
        return np.array([self.seen[t] for t in texts], dtype=np.float32).reshape(-1, self.dims)


class Live(Cached):
    """Units' vectors as :class:`Cached` gives them, but each question's vector computed anew
    by ``run`` (as a bot's new question would be): what the cascade's timing needs."""

    def __init__(self, inner: StaticEmbedder | Encoder | Precomputed, run: Embed) -> None:
        super().__init__(inner)
        self.run = run

    def embed(self, text: str) -> np.ndarray:
        return self.run(text)


class Precomputed:
    """Vectors another runtime computed for every text the matcher embeds (tools/onnx_encoder.py
    writes them), so the probe scores onnxruntime's vectors without onnxruntime installed."""

    def __init__(self, file: Path) -> None:
        with np.load(file, allow_pickle=False) as stored:
            self.vectors = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
        self.dims = len(next(iter(self.vectors.values())))

    def embed(self, text: str) -> np.ndarray:
        return self.embed_many([text])[0]

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.vectors]
        if missing:
            raise KeyError(f"{len(missing)} texts have no stored vector, e.g. {missing[0]!r}")
        return np.array([self.vectors[t] for t in texts], dtype=np.float32)


class Mixed:
    """Both vectors side by side, scaled so that a dot product is the mixed cosine:
    (1 - mix) × static + mix × contextual. Each part stays unit length on its own, so the
    centroids are fixed per part after the index is built (see :func:`_per_part_centroids`)."""

    def __init__(self, static: Cached, contextual: Cached, mix: float) -> None:
        self.static, self.contextual, self.mix = static, contextual, mix
        self.split = static.dims
        self.dims = static.dims + contextual.dims
        self._scale = np.concatenate(
            [np.full(static.dims, np.sqrt(1 - mix)), np.full(contextual.dims, np.sqrt(mix))]
        ).astype(np.float32)

    def embed(self, text: str) -> np.ndarray:
        both = [self.static.embed(text), self.contextual.embed(text)]
        return np.concatenate(both) * self._scale

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        both = [self.static.embed_many(texts), self.contextual.embed_many(texts)]
        return np.concatenate(both, axis=1) * self._scale


def _per_part_centroids() -> None:
    """Make ScopeIndex normalise a mixed centroid part by part, as two separate tables would."""
    original = scope.ScopeIndex.__init__

    def init(self: scope.ScopeIndex, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        embedder = args[3] if len(args) > 3 else kwargs.get("embedder")
        if isinstance(embedder, Mixed) and self.vectors is not None:
            sums = np.zeros_like(self.content_vectors)
            np.add.at(sums, self.dense_unit, self.vectors)
            for part in (slice(0, embedder.split), slice(embedder.split, None)):
                norms = np.linalg.norm(sums[:, part], axis=1, keepdims=True)
                scale = np.sqrt(1 - embedder.mix if part.start == 0 else embedder.mix)
                sums[:, part] = sums[:, part] / np.where(norms > 0, norms, 1.0) * scale
            self.centroids = sums

    scope.ScopeIndex.__init__ = init  # type: ignore[method-assign]


def timing(library: Library, encoder: Encoder, rounds: int = 3) -> None:
    """CPU time on one core, as bench/understand.py measures it: the transformer's forward pass
    alone for each bench question's text, and the whole search with the transformer in place of
    the static table (role chosen, and none: the pool of every role). Each question is new to
    the encoder every time (nothing caches a sentence's vector). Run it under ``taskset -c 0``:
    pinning from inside would leave OpenBLAS's threads, started at import, on other cores,
    where this thread's CPU clock does not see them."""
    questions = [q["q"] for q in load_questions("all")]
    index = ContentIndex(library, embedder=encoder)  # type: ignore[arg-type]
    index.pool()
    for role in ("mle", None):
        index.search(questions[0], role_id=role)
    rows: dict[str, list[float]] = {"forward pass": [], "role chosen": [], "no role": []}
    for _ in range(rounds):
        for q in questions:
            for name, run in (
                ("forward pass", lambda q=q: encoder.embed(q)),
                ("role chosen", lambda q=q: index.search(q, role_id="mle")),
                ("no role", lambda q=q: index.search(q)),
            ):
                started = time.thread_time()
                run()
                rows[name].append(time.thread_time() - started)
    lengths = sorted(len(encoder.token_ids(q)) for q in questions)
    print(f"tokens per question p50 {lengths[len(lengths) // 2]}, max {lengths[-1]}")
    for name, values in rows.items():
        values.sort()
        p50, p99 = values[len(values) // 2], values[int(0.99 * len(values))]
        print(
            f"  {name:<13} CPU ms p50 {p50 * 1e3:.2f}  p99 {p99 * 1e3:.2f}"
            f"  max {values[-1] * 1e3:.2f}"
        )


def dev_figures(library: Library, embedder: object) -> tuple[float, float]:
    total = overall(evaluate(ContentIndex(library, embedder=embedder), "dev"))  # type: ignore[arg-type]
    return total.top1 / total.n, total.rr / total.n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path, help="a folder written by tools/build_encoder.py")
    parser.add_argument("--held-out", action="store_true", help="also the packs' phrasings")
    parser.add_argument("--weights", type=float, nargs="+", default=WEIGHTS)
    parser.add_argument("--mixes", type=float, nargs="+", default=MIXES)
    parser.add_argument("--tune", action="store_true", help="faq_eval --tune at each mix")
    parser.add_argument("--cv", action="store_true", help="faq_eval --cv at each mix")
    parser.add_argument("--time", type=float, metavar="WEIGHT", help="only time, at this weight")
    parser.add_argument(
        "--vectors", type=Path, help="the transformer's vectors from a file (tools/onnx_encoder.py)"
    )
    parser.add_argument("--cascade", action="store_true", help="bench/cascade.py at each mix")
    parser.add_argument("--cascade-time", type=float, nargs=2, metavar=("DEPTH", "MARGIN"))
    parser.add_argument("--onnx", type=Path, help="with --cascade-time: this model, live")
    args = parser.parse_args()
    _per_part_centroids()
    library = load_library()
    static = Cached(StaticEmbedder.load())
    started = time.perf_counter()
    encoder = Encoder.load(args.folder)
    print(f"encoder loaded in {time.perf_counter() - started:.2f} s")
    contextual = Cached(Precomputed(args.vectors) if args.vectors else encoder)
    kept = search.DENSE_WEIGHT
    if args.time is not None:
        search.DENSE_WEIGHT = args.time
        timing(library, encoder)
        return
    if args.cascade_time:
        depth, margin = args.cascade_time
        run = encoder.embed
        if args.onnx:
            from tools.onnx_encoder import OnnxEncoder  # the throwaway venv's onnxruntime

            run = OnnxEncoder(args.onnx, encoder.token_ids).embed
        table = StaticEmbedder.load()
        live = Mixed(Live(table, table.embed), Live(contextual.inner, run), args.mixes[0])
        cascade.timing(
            ContentIndex(library, embedder=static.inner),
            ContentIndex(library, embedder=live),  # type: ignore[arg-type]
            args.weights[0],
            int(depth),
            margin,
        )
        return
    try:
        for mix in args.mixes:
            embedder = Mixed(static, contextual, mix)
            if args.cascade:
                for weight in args.weights:
                    print(f"mix {mix:g}, weight {weight:g}: cascade, dev")
                    mixed = ContentIndex(library, embedder=embedder)  # type: ignore[arg-type]
                    cascade.report(ContentIndex(library, embedder=static.inner), mixed, weight)
                    if args.held_out:
                        cascade.held_out(static, embedder, weight, (-1.0, 0.0, 0.4, math.inf))
                continue
            if args.tune or args.cv:
                print(f"mix {mix:g}")
                index = ContentIndex(library, embedder=embedder)  # type: ignore[arg-type]
                if args.cv:
                    cross_validate(index, weights=tuple(args.weights))
                if args.tune:
                    tune(index, weights=tuple(args.weights))
                continue
            cells = []
            for weight in args.weights:
                search.DENSE_WEIGHT = weight
                top1, mrr = dev_figures(library, embedder)
                cells.append(f"{weight:g}: {top1:.3f}/{mrr:.3f}")
            print(f"mix {mix:g}  dev top-1/MRR@3 by fusion weight  {'  '.join(cells)}")
            if args.held_out:
                cells = []
                for weight in [*args.weights, 100.0]:
                    search.DENSE_WEIGHT = weight
                    cells.append(f"{weight:g}: {held_out(library, embedder):.3f}")  # type: ignore[arg-type]
                print(f"  held-out phrasings top-1 by fusion weight  {'  '.join(cells)}")
    finally:
        search.DENSE_WEIGHT = kept


if __name__ == "__main__":
    main()
