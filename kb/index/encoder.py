"""The sentence encoder that answers and ingest run: an ONNX graph of the transformer under
ONNX Runtime, the model folder's own tokenizer (the `tokenizers` library), and the pooling
the model card defines, in numpy. No torch: a cold process loads it in well under a second.

The graph (see kb.index.export) outputs the transformer's last hidden state; the pipeline
around it is read from the model folder and checked, so that a model whose card asks for
another pooling is refused rather than encoded wrongly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kb.errors import ModelError

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

# The sentence-transformers pipeline this encoder reproduces, module by module.
PIPELINE = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
            "sentence_transformers.models.Normalize"]
MEAN_ONLY = {"pooling_mode_mean_tokens": True}  # every other pooling_mode_* must be off
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@dataclass(frozen=True)
class ModelCard:
    """What the model folder says about encoding: the output size and the longest input."""

    dimension: int
    max_seq_length: int


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the model's {path.name} at {path}: {exc}") from exc


def read_card(folder: Path) -> ModelCard:
    """The model's pipeline, checked to be transformer, mean pooling, normalisation."""
    modules = _read_json(folder / "modules.json")
    types = [m.get("type") for m in modules] if isinstance(modules, list) else None
    if types != PIPELINE:
        raise ModelError(f"the model in {folder} is {types}, not transformer + pooling + "
                         "normalize; this encoder cannot reproduce it")
    pooling_path = folder / modules[1].get("path", "") / "config.json"
    pooling = _read_json(pooling_path)
    modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
    if modes != MEAN_ONLY or pooling.get("include_prompt", True) is not True:
        raise ModelError(f"the model's pooling ({pooling_path}) is not plain mean pooling: "
                         f"{pooling}; this encoder cannot reproduce it")
    config = _read_json(folder / "sentence_bert_config.json")
    dimension = int(pooling.get("word_embedding_dimension", 0))
    hidden = int(_read_json(folder / "config.json").get("hidden_size", -1))
    if dimension != hidden:
        raise ModelError(f"the model's pooling expects {dimension} dimensions, its "
                         f"transformer gives {hidden}")
    return ModelCard(dimension=dimension, max_seq_length=int(config["max_seq_length"]))


def session_options(threads: int) -> Any:
    """One session's options for a small CPU: `threads` intra-op threads, one inter-op
    thread (the graph is a chain; parallel branches would only contend for the cores)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle threads sleep rather than spin: on two shared cores a spinning thread takes the
    # core another process (or the other half of the same product) needs, and measured
    # passages per second fell by a quarter with spinning when the machine was busy.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: its warnings are about unused initialisers
    return options


class OnnxEncoder:
    """Texts to L2-normalised, mean-pooled vectors through one ONNX Runtime session."""

    def __init__(self, graph: Path, folder: Path, threads: int, batch_size: int,
                 batch_tokens: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.card = read_card(folder)
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # Padding is done per batch below; truncation at the model's limit, as
        # sentence-transformers does (the tokenizer file's own setting may differ).
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.card.max_seq_length)
        self._session = ort.InferenceSession(str(graph), session_options(threads),
                                             providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed `texts`, in batches of about equal length (longest first), in input order."""
        out = np.zeros((len(texts), self.card.dimension), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        for rows in self._batches([len(ids[i]) for i in order]):
            chosen = [order[r] for r in rows]
            out[chosen] = self._encode_batch([ids[i] for i in chosen])
        return out

    def _batches(self, lengths: list[int]) -> Iterator[range]:
        """Consecutive rows of `lengths` (longest first) as batches: at most `batch_size`
        rows, and at most `batch_tokens` tokens once padded (0: no limit). A batch whose
        activations fit the cores' caches runs much faster than a bigger one: over the
        corpus's passages, batches of 32 ran at 60% of the speed of batches of at most 256
        tokens (2 cores, 2 MB of L2 cache each)."""
        start = 0
        while start < len(lengths):
            rows = self.batch_size
            if self.batch_tokens:
                rows = min(rows, max(1, self.batch_tokens // max(lengths[start], 1)))
            yield range(start, min(start + rows, len(lengths)))
            start += rows

    def _encode_batch(self, ids: list[list[int]]) -> NDArray[np.float32]:
        width = max(len(row) for row in ids)
        tokens = np.zeros((len(ids), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            tokens[i, : len(row)] = row
            mask[i, : len(row)] = 1
        feed = dict(zip(INPUTS, (tokens, mask, np.zeros_like(tokens)), strict=True))
        hidden = self._session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)
