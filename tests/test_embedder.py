import numpy as np
import pytest

from kb.errors import ModelError
from kb.index.embedder import Embedder, model_dir
from kb.settings import MODEL_SHA256, Settings


def test_packaged_model_embeds_offline(embedder: Embedder) -> None:
    vectors = embedder.encode(["port security visits", "reciprocal port visits", "omelette recipe"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_weights_hash_is_pinned() -> None:
    assert Settings().model_sha256 == MODEL_SHA256
    assert (model_dir(Settings()) / "model.safetensors").is_file()


def test_hash_mismatch_refuses_to_load() -> None:
    bad = Embedder(Settings(model_sha256="0" * 64))
    with pytest.raises(ModelError, match="refusing to load"):
        bad.encode(["x"])


def test_missing_weights_are_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelError, match="not found"):
        Embedder(Settings(model_path=tmp_path)).encode(["x"])


def test_questions_get_the_same_vectors_as_the_reference_encoder(embedder: Embedder) -> None:
    questions = [
        "Who runs the Tern Exchange?",
        "What is the purpose of the Tern Exchange, and how do I request a visit?",
        "x",
        "port " * 400,  # past the model's 256-token limit: truncated like the reference
    ]
    fast = embedder.encode_queries(questions)
    assert embedder._queries is not None  # the traced encoder passed its own check
    assert fast.shape == (4, 384)
    assert np.abs(fast - embedder.encode(questions)).max() < 1e-4
    assert np.abs(embedder.encode_one(questions[0]) - fast[0]).max() < 1e-5  # padded or not
