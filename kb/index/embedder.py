"""The sentence embedding model as ingest and answers use it: the ONNX encoder of the pinned
model (kb.index.encoder), loaded on first use from its checked export (kb.index.export)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from kb.index.encoder import OnnxEncoder, read_card
from kb.index.export import GRAPH, ensure_graph, graph_dir
from kb.index.weights import model_dir, verify_model
from kb.runtime import configure_runtime
from kb.settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)


def encoder_threads(settings: Settings) -> int:
    """The intra-op threads: the setting, or one per core this process may run on."""
    return settings.encoder_threads or len(os.sched_getaffinity(0))


class Embedder:
    """Encodes text into unit-length vectors; the encoder loads on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._encoder: OnnxEncoder | None = None
        self._lock = threading.Lock()  # the app may ask its first questions at once

    def _load(self) -> OnnxEncoder:
        if self._encoder is not None:
            return self._encoder
        with self._lock:
            if self._encoder is None:
                configure_runtime()
                folder = model_dir(self.settings)
                verify_model(folder, self.settings.model_files)
                read_card(folder)  # a model this encoder cannot reproduce fails before export
                graph = ensure_graph(self.settings)
                log.info("loading the %s ONNX encoder %s", self.settings.encoder, graph)
                self._encoder = OnnxEncoder(graph, folder, encoder_threads(self.settings),
                                            self.settings.embed_batch_size,
                                            self.settings.embed_batch_tokens)
        return self._encoder

    def preload(self) -> None:
        """Start loading the encoder in a background thread, for a process about to encode
        (a cold `ipskb ask`): checking the graph and setting up its session run mostly
        outside the GIL, beside loading spaCy. A failure is raised by the first encoding,
        which then loads it itself. With no graph exported yet the export is left to that
        first encoding, in the foreground: a process that ends early (no index, an empty
        question) must not leave one half-written."""
        if self._encoder is None and (graph_dir(self.settings) / GRAPH).is_file():
            threading.Thread(target=self._load_quietly, name="ipskb-encoder",
                             daemon=True).start()

    def _load_quietly(self) -> None:
        try:
            self._load()
        except Exception:  # raised again, to its caller, by the first encoding
            log.debug("loading the encoder in the background failed", exc_info=True)

    @property
    def dimension(self) -> int:
        return self._load().card.dimension

    def encode(self, texts: Sequence[str], progress: bool = False) -> NDArray[np.float32]:
        """Embed `texts` as L2-normalised float32 rows. (`progress` is accepted for the
        interface; ingest shows its own progress bar over its batches.)"""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self._load().encode(texts)

    def encode_queries(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed questions: the same encoder as passages (subclasses may count them apart)."""
        return self.encode(texts)

    def encode_one(self, text: str) -> NDArray[np.float32]:
        """Embed one question."""
        return self.encode_queries([text])[0]
