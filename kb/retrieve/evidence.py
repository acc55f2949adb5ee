"""Evidence for a plan: for each part of the question, the passages found, their sentences
with embeddings, and the FAQ questions closest to it, read from the index once, so that
composing an answer reads nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kb.index.embedder import Embedder
from kb.index.store import VectorStore
from kb.models import Chunk, Hit, Sentence
from kb.query.plan import PartPlan, QueryPlan
from kb.retrieve.fusion import Retriever

if TYPE_CHECKING:
    from numpy.typing import NDArray

FAQ_CANDIDATES = 4  # FAQ questions read per question: enough for a near tie to be weighed


@dataclass
class FaqCandidate:
    """An FAQ question near the question, with its passage and that passage's sentences."""

    question: Sentence
    similarity: float
    chunk: Chunk
    sentences: list[Sentence]
    vectors: Any  # NDArray[np.float32], one row per sentence


@dataclass
class Evidence:
    """What the index holds for one part of a question."""

    part: PartPlan
    vector: Any  # NDArray[np.float32]: the part's query embedding
    hits: list[Hit]
    sentences: list[Sentence]  # body sentences of the hits, in hit order
    vectors: Any  # NDArray[np.float32], one row per sentence
    faq: list[FaqCandidate] = field(default_factory=list)


def gather(plan: QueryPlan, retriever: Retriever, store: VectorStore, embedder: Embedder,
           faq_first: bool) -> list[Evidence]:
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
    if faq_first and len(out) == 1:
        out[0].faq = _faq_candidates(store, vectors[0], chunks, (sentences, sentence_vectors))
    return out


def _faq_candidates(store: VectorStore, vector: NDArray[np.float32], known: dict[str, Chunk],
                    read: tuple[list[Sentence], NDArray[np.float32]]) -> list[FaqCandidate]:
    """The FAQ questions nearest to `vector` with their passages; the sentences of passages
    among the hits (`known`, whose sentences are `read`) are not read again."""
    near = store.nearest_questions(vector, FAQ_CANDIDATES)
    if not near:
        return []
    wanted = list(dict.fromkeys(q.chunk_id for q, _ in near))
    new = store.get_chunks([c for c in wanted if c not in known])
    chunks = {**new, **known}
    sentences, vectors = read
    extra, extra_vectors = store.sentences_of(list(new.values()))
    if extra:
        sentences = [*sentences, *extra]
        vectors = np.concatenate([vectors, extra_vectors]) if len(vectors) else extra_vectors
    rows = _rows_by_chunk(sentences)
    out = []
    for question, similarity in near:
        chunk = chunks.get(question.chunk_id)
        if chunk is None:
            continue
        mine = rows.get(chunk.chunk_id, [])
        out.append(FaqCandidate(question, similarity, chunk, [sentences[i] for i in mine],
                                vectors[mine] if mine else _empty()))
    return out


def _rows_by_chunk(sentences: list[Sentence]) -> dict[str, list[int]]:
    """Each chunk's sentences, as row numbers of `sentences`, in order."""
    rows: dict[str, list[int]] = {}
    for row, sentence in enumerate(sentences):
        rows.setdefault(sentence.chunk_id, []).append(row)
    return rows


def _empty() -> NDArray[np.float32]:
    return np.zeros((0, 384), dtype=np.float32)
