"""A traced copy of the embedding model for questions: the same vectors as
SentenceTransformer.encode, without the Python overhead of its layers on every call.

A question is a few dozen tokens; on a 2-core machine the model's own Python (module calls,
mask building, output wrapping) costs about as much as its arithmetic. A TorchScript trace
runs the same operations without it. The trace is checked against the reference encoder on
probe texts of different lengths, padded batch included; if it differs or cannot be built,
questions use the reference encoder and a warning says so.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

TOLERANCE = 1e-4  # largest difference per vector component accepted against the reference
PROBES = [
    "Visa?",
    "How do we request a reciprocal visit to the United States?",
    "Under which section of the law may the Secretary impose conditions of entry on vessels "
    "arriving from a foreign port that does not maintain effective antiterrorism measures, "
    "and who must be consulted before an assessment is carried out in that country?",
]


def _expected_pipeline(model: Any) -> bool:
    """Transformer, mean pooling, normalisation: the pipeline the trace reproduces."""
    from sentence_transformers.models import Normalize, Pooling, Transformer

    parts = list(model)
    return (
        len(parts) == 3 and isinstance(parts[0], Transformer)
        and isinstance(parts[1], Pooling) and getattr(parts[1], "pooling_mode", None) == "mean"
        and isinstance(parts[2], Normalize)
    )


def _mean_pooled(transformer: Any) -> Any:
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            out = self.transformer(input_ids=ids, attention_mask=mask, token_type_ids=types)
            weights = mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
            summed = (out.last_hidden_state * weights).sum(1)
            pooled = summed / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)

    return MeanPooled().eval()


class QueryEncoder:
    """Encodes short texts with a traced model; `trace` returns None when it cannot."""

    def __init__(self, traced: Any, tokenizer: Any, max_length: int) -> None:
        self._traced = traced
        self._tokenizer = tokenizer
        self._max_length = max_length

    @classmethod
    def trace(cls, model: Any) -> QueryEncoder | None:
        """A traced encoder for `model` (a SentenceTransformer), checked on the probes."""
        import torch

        if not _expected_pipeline(model):
            log.warning("the model is not transformer + mean pooling + normalize; "
                        "questions use the reference encoder")
            return None
        tokenizer = model.tokenizer
        module = _mean_pooled(model[0].auto_model)
        example = tokenizer([PROBES[1]], return_tensors="pt")
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # tracing reads config fields it then warns about
        try:
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # TracerWarnings: the probes check the trace
                traced = torch.jit.freeze(torch.jit.trace(
                    module, (example["input_ids"], example["attention_mask"],
                             example["token_type_ids"]), strict=False))
        except Exception as exc:  # a speed-up only: never fail a question
            log.warning("cannot trace the model (%s); questions use the reference encoder", exc)
            return None
        finally:
            hf_logging.set_verbosity(verbosity)
        encoder = cls(traced, tokenizer, int(model.max_seq_length))
        reference = model.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True)
        got = np.concatenate([encoder.encode(PROBES), encoder.encode([PROBES[0]])])
        want = np.concatenate([reference, reference[:1]])
        difference = float(np.abs(got - want).max())
        if difference > TOLERANCE:
            log.warning("traced query encoder differs from the model by %.2g; questions use "
                        "the reference encoder", difference)
            return None
        return encoder

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        import torch

        batch = self._tokenizer(list(texts), return_tensors="pt", padding=True,
                                truncation=True, max_length=self._max_length)
        with torch.inference_mode():
            out = self._traced(batch["input_ids"], batch["attention_mask"],
                               batch["token_type_ids"])
        return np.asarray(out.numpy(), dtype=np.float32)
