"""Contextual sentence vectors: the real all-MiniLM-L6-v2 transformer through onnxruntime.

The static table (embed.py) gives each word one meaning whatever its neighbours say; the
transformer reads the sentence. It ranks better (issue 10's fourth and fifth passes in
bench/RESULTS.md) but costs ~2 ms of one core per question even as int8, so the matcher runs it
only on the questions the static matcher is unsure of (content/search.py, the cascade).

The model (model/minilm.onnx) is exported once by tools/onnx_encoder.py: int8 weights with a
scale per output channel, mean pooling and unit length inside the graph. Text is tokenised by
the static table's own WordPiece (the table's vocabulary is the model's without its unused and
special tokens; model/minilm-ids.npy maps each table id to the model's id, and the export checks
both tokenise every pack and bench text alike). Nothing is fetched: if onnxruntime or the model
is missing or fails to load, :func:`default_encoder` logs it once and returns None, and the bot
answers with the static matcher alone.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from content.understanding.embed import MODEL_DIR, StaticEmbedder, WordPiece

MODEL_FILE = "minilm.onnx"
IDS_FILE = "minilm-ids.npy"
"""Model token id of each static-table token id (int16)."""
REFERENCE_FILE = "minilm-reference.npz"
"""A few texts and sentence-transformers' own vectors for them, stored at export (tests)."""
MAX_TOKENS = 256
"""sentence-transformers' max_seq_length for this model: longer texts are cut, as there."""
CLS, SEP, UNK = 101, 102, 100
"""The model's [CLS], [SEP] and [UNK] ids (bert-base-uncased's vocabulary)."""
MEMO = 65536
"""Unit texts' vectors remembered per encoder, shared by every index in the process (a
question's vector is never remembered: each question pays for its own forward pass)."""

log = logging.getLogger("careerbot.content")


class ContextEncoder:
    """Text to the unit-length sentence vector all-MiniLM-L6-v2 gives it (384 dimensions).

    One text at a time (no padding, as a question comes), on the calling thread only: one
    intra-op thread, so a question costs one core and the bot's other work is not starved."""

    def __init__(self, model: Path, wordpiece: WordPiece, model_ids: np.ndarray) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        self._wordpiece = wordpiece
        self._model_ids = np.asarray(model_ids, dtype=np.int64)
        self._unknown = wordpiece.unknown
        self.dims = int(self._session.get_outputs()[0].shape[-1] or 384)
        self.fingerprint = _fingerprint(model)
        """Changes whenever the model does: part of the cache key of stored unit vectors."""
        self._memo: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path = MODEL_DIR, wordpiece: WordPiece | None = None) -> ContextEncoder:
        """The shipped model; ``wordpiece`` is the static table's tokenizer (loaded if None)."""
        if wordpiece is None:
            wordpiece = WordPiece(StaticEmbedder.vocabulary(folder))
        ids = np.load(folder / IDS_FILE, allow_pickle=False)
        if len(ids) != len(wordpiece.ids):
            raise ValueError(f"{len(ids)} model ids for {len(wordpiece.ids)} table tokens")
        return cls(folder / MODEL_FILE, wordpiece, ids)

    def token_ids(self, text: str) -> list[int]:
        """[CLS], the text's tokens as model ids (an unknown word is [UNK]), [SEP]; cut to
        :data:`MAX_TOKENS` as the original does."""
        table_ids = self._wordpiece.tokens(text, keep_unknown=True)[: MAX_TOKENS - 2]
        ids = [UNK if i == self._unknown else int(self._model_ids[i]) for i in table_ids]
        return [CLS, *ids, SEP]

    def embed(self, text: str, remember: bool = False) -> np.ndarray:
        """The sentence vector; ``remember`` keeps it for the process (unit texts, which every
        index of the same content embeds again)."""
        found = self._memo.get(text)
        if found is not None:
            return found
        ids = np.array([self.token_ids(text)], dtype=np.int64)
        with self._lock:  # an onnxruntime session may run concurrently, but one core is the plan
            vector = self._session.run(None, {"ids": ids, "mask": np.ones_like(ids)})[0][0]
        vector = np.asarray(vector, dtype=np.float32)
        if remember:
            if len(self._memo) >= MEMO:
                self._memo.pop(next(iter(self._memo)))
            self._memo[text] = vector
        return vector

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's vector, one at a time: no padding, so each equals :meth:`embed`'s."""
        matrix = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            matrix[row] = self.embed(text, remember=True)
        return matrix


def _fingerprint(model: Path) -> str:
    """A digest of the model, its token-id map and its export record: any change to them means
    other vectors. SHA-1 (a change detector here, not a seal) reads the 23 MB in ~20 ms."""
    digest = hashlib.sha1(usedforsecurity=False)
    for path in (model, model.with_name("minilm-ids.npy"), model.with_name("minilm.json")):
        if path.exists():
            with path.open("rb") as f:
                digest.update(hashlib.file_digest(f, "sha1").digest())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def default_encoder(folder: Path = MODEL_DIR) -> ContextEncoder | None:
    """The shipped transformer, loaded once per process; None (logged once) when onnxruntime or
    the model is missing or cannot be loaded: the static matcher then answers alone."""
    try:
        return ContextEncoder.load(folder)
    except Exception as exc:  # any failure to load means the same: answer without it
        log.warning(
            "contextual model not loaded (%s: %s); questions are matched by the static table alone",
            type(exc).__name__,
            exc,
        )
        return None
