"""A stand-in for the embedding model, for corpora too large to encode on a laptop.

Each word gets a fixed random Gaussian vector seeded by a hash of the word; a text's vector
is the normalised sum of its words' vectors (a hashed bag-of-words random projection). It
is deterministic across runs and processes, costs microseconds per text, and keeps the
property retrieval needs from an embedding: texts sharing words are close. It knows nothing
of meaning, so figures measured with it are about speed and size, never about quality.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from kb.index.embedder import Embedder
from kb.settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

DIM = 384  # all-MiniLM-L6-v2's dimension: the index holds vectors of the real size
_WORD = re.compile(r"[a-z0-9]+")
_EMPTY = "<empty>"  # a text without words still needs a unit vector


class HashEmbedder(Embedder):
    """`Embedder`'s interface without the model: hashed bag-of-words random projection."""

    def __init__(self, settings: Settings, dim: int = DIM) -> None:
        super().__init__(settings)
        self.dim = dim
        self._ids: dict[str, int] = {}
        # Word vectors by id; grown by doubling so that new words cost amortised O(1).
        self._table = np.zeros((1024, dim), dtype=np.float32)

    @property
    def dimension(self) -> int:
        return self.dim

    def encode(self, texts: Sequence[str], progress: bool = False) -> NDArray[np.float32]:
        """Embed `texts` as L2-normalised float32 rows, the same for the same words."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids: list[int] = []
        starts: list[int] = []
        for text in texts:
            starts.append(len(ids))
            ids += [self._word_id(w) for w in _WORD.findall(text.lower())] or [
                self._word_id(_EMPTY)
            ]
        # Word vectors of all texts laid end to end, then summed per text in one call.
        sums = np.add.reduceat(self._table[np.asarray(ids)], np.asarray(starts), axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return np.asarray(sums / np.maximum(norms, 1e-12), dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self.encode(texts)

    def _word_id(self, word: str) -> int:
        found = self._ids.get(word)
        if found is not None:
            return found
        seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        n = len(self._ids)
        if n == len(self._table):
            self._table = np.concatenate([self._table, np.zeros_like(self._table)])
        self._table[n] = np.random.default_rng(seed).standard_normal(self.dim)
        self._ids[word] = n
        return n
