"""Evidence for a plan: for each part of the question, the passages found, their sentences
with embeddings, read from the index once, so that composing an answer reads nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from kb.index.embedder import Embedder
from kb.index.store import VectorStore
from kb.models import Hit, Sentence
from kb.query.plan import PartPlan, QueryPlan
from kb.retrieve.fusion import Retriever

if TYPE_CHECKING:
    from numpy.typing import NDArray


@dataclass
class Evidence:
    """What the index holds for one part of a question."""

    part: PartPlan
    vector: Any  # NDArray[np.float32]: the part's query embedding
    hits: list[Hit]
    sentences: list[Sentence]  # body sentences of the hits, in hit order
    vectors: Any  # NDArray[np.float32], one row per sentence


def gather(plan: QueryPlan, retriever: Retriever, store: VectorStore,
           embedder: Embedder) -> list[Evidence]:
    """Search each part of `plan` and read everything composing its answer needs."""
    if not plan.parts:
        return []
    queries = [p.query for p in plan.parts]
    vectors = embedder.encode_queries(queries)
    found = retriever.search_many(queries, vectors, named=[p.named for p in plan.parts])
    chunks = {h.chunk.chunk_id: h.chunk for hits in found for h in hits}
    sentences, sentence_vectors = store.sentences_of(list(chunks.values()))
    rows = _rows_by_chunk(sentences)
    out = []
    for part, vector, hits in zip(plan.parts, vectors, found, strict=True):
        mine = [r for h in hits for r in rows.get(h.chunk.chunk_id, [])]
        out.append(Evidence(part, vector, hits, [sentences[r] for r in mine],
                            sentence_vectors[mine] if mine else _empty()))
    return out


def _rows_by_chunk(sentences: list[Sentence]) -> dict[str, list[int]]:
    """Each chunk's sentences, as row numbers of `sentences`, in order."""
    rows: dict[str, list[int]] = {}
    for row, sentence in enumerate(sentences):
        rows.setdefault(sentence.chunk_id, []).append(row)
    return rows


def _empty() -> NDArray[np.float32]:
    return np.zeros((0, 384), dtype=np.float32)
