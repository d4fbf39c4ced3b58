"""The static embedding table and the plain-Python tokenizer that reads it."""

from __future__ import annotations

import json

import numpy as np

from content.understanding.embed import MODEL_DIR, StaticEmbedder


def _tiny(vocab: list[str]) -> StaticEmbedder:
    return StaticEmbedder(np.eye(len(vocab), dtype=np.float32), vocab)


def test_a_whole_word_in_the_table_wins_over_its_pieces() -> None:
    """model2vec adds whole words as ordinary WordPiece entries after the model's own; the
    distilled tokenizer then matches greedily, longest first, so the whole word wins."""
    vocab = ["[UNK]", "up", "##skill", "##ing", "##s", "upskilling"]
    embedder = _tiny(vocab)
    assert embedder.token_ids("Upskilling") == [5]
    assert embedder.token_ids("upskillings") == [5, 4]
    assert embedder.token_ids("upskill") == [1, 2]
    assert embedder.token_ids("upskilling, upskill!") == [5, 1, 2]


def test_the_shipped_table_matches_its_config_and_every_added_word_is_one_token() -> None:
    config = json.loads((MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    embedder = StaticEmbedder.load()
    vocab = (MODEL_DIR / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert len(vocab) == len(embedder.vectors) == config["tokens"]
    assert embedder.dims == config["dims"]
    first_added = config["wordpiece_tokens"]
    assert config["added_words"] == len(vocab) - first_added
    for token_id, word in enumerate(vocab[first_added:], start=first_added):
        assert embedder.token_ids(word) == [token_id], word
    assert not any(t.startswith("##") for t in vocab[first_added:])


def test_a_word_spelled_from_no_pieces_is_dropped_not_guessed() -> None:
    embedder = _tiny(["[UNK]", "a", "##b"])
    assert embedder.token_ids("ab ac") == [1, 2]
    assert not embedder.embed("zz").any()
