"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by reciprocal rank fusion."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from kb.lexical import LexicalIndex
from kb.models import Hit
from kb.settings import Settings
from kb.store import VectorStore

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

Method = Literal["hybrid", "dense", "bm25"]
# The two semantic rankings (passages, best sentences) share one vote against the keyword
# ranking; with a full vote each, semantics drowned keywords (evals/report.md, dev split).
FUSION_WEIGHTS = (0.5, 0.5, 1.0)


def rrf(
    rankings: Sequence[Sequence[str]], k: int, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: score(id) = sum over rankings of
    weight / (k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[i]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


class Retriever:
    """Finds the passages most likely to answer a query."""

    def __init__(self, store: VectorStore, lexical: LexicalIndex, settings: Settings) -> None:
        self.store = store
        self.lexical = lexical
        self.settings = settings

    def search(
        self, query: str, vector: NDArray[np.float32], k: int | None = None,
        method: Method | None = None,
    ) -> list[Hit]:
        """The `k` best passages, fused, with one hit per distinct passage text."""
        k = k or self.settings.top_k
        method = method or self.settings.retrieval
        n = self.settings.candidates
        dense = self.store.query_chunks(vector, n) if method != "bm25" else []
        # Passages ranked by their single best sentence: a one-sentence fact in a long
        # passage is found even when the passage as a whole looks unrelated.
        by_sentence = self.store.nearest_sentence_chunks(vector, 2 * n) if method != "bm25" else []
        lexical = self.lexical.search(query, n) if method != "dense" else []
        fused = rrf(
            [[i for i, _ in dense], by_sentence[:n], [i for i, _ in lexical]], self.settings.rrf_k,
            FUSION_WEIGHTS,
        )
        dense_at = {cid: (rank, score) for rank, (cid, score) in enumerate(dense, start=1)}
        lex_at = {cid: (rank, score) for rank, (cid, score) in enumerate(lexical, start=1)}
        sentence_at = {cid: rank for rank, cid in enumerate(by_sentence[:n], start=1)}
        chunks = self.store.get_chunks([cid for cid, _ in fused[: 4 * k]])
        # Passages found by keywords alone get their semantic similarity too: answering
        # weighs every passage by it.
        missing = [cid for cid in chunks if cid not in dense_at]
        vectors = self.store.chunk_vectors(missing)
        similarity = {cid: float(v @ vector) for cid, v in vectors.items()}
        hits: list[Hit] = []
        seen: set[str] = set()
        per_doc: dict[str, int] = {}
        for cid, score in fused:
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            key = " ".join(chunk.text.split()).lower()
            if key in seen:  # the same passage from two files (or two overlapping splits)
                continue
            # Room for a second document: questions often span two.
            if per_doc.get(chunk.doc_id, 0) >= self.settings.per_document:
                continue
            seen.add(key)
            per_doc[chunk.doc_id] = per_doc.get(chunk.doc_id, 0) + 1
            d, lx = dense_at.get(cid), lex_at.get(cid)
            hits.append(Hit(
                chunk=chunk, score=score,
                dense_rank=d[0] if d else None,
                dense_score=d[1] if d else similarity.get(cid),
                lexical_rank=lx[0] if lx else None, lexical_score=lx[1] if lx else None,
                sentence_rank=sentence_at.get(cid),
            ))
            if len(hits) == k:
                break
        return hits
