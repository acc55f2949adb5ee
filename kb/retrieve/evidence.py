"""Evidence for a plan: for each part of the question, the passages found, their sentences
with embeddings, read from the index once, so that composing an answer reads nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kb.index.embedder import Embedder
from kb.index.store import VectorStore
from kb.models import Chunk, Hit, Sentence
from kb.query.plan import PartPlan, QueryPlan
from kb.retrieve.fusion import Retriever
from kb.retrieve.listing import Listing, listings

if TYPE_CHECKING:
    from numpy.typing import NDArray


@dataclass
class Evidence:
    """What the index holds for one part of a question."""

    part: PartPlan
    vector: Any  # NDArray[np.float32]: the part's query embedding
    hits: list[Hit]
    sentences: list[Sentence]  # body sentences of the hits, in hit order; then list entries
    vectors: Any  # NDArray[np.float32], one row per sentence
    # A list entry's lead-in, by the entry's sentence id, and the passages they are cited
    # from (the lead-in's, and each entry's line as a passage of its own).
    lead_ins: dict[str, Sentence] = field(default_factory=dict)
    list_chunks: list[Chunk] = field(default_factory=list)


def gather(plan: QueryPlan, retriever: Retriever, store: VectorStore,
           embedder: Embedder) -> list[Evidence]:
    """Search each part of `plan` and read everything composing its answer needs."""
    if not plan.parts:
        return []
    queries = [p.query for p in plan.parts]
    vectors = embedder.encode_queries(queries)
    rare = [retriever.rare_names(p.names) for p in plan.parts]
    found = retriever.search_many(
        queries, vectors, named=[p.named for p in plan.parts],
        rare=[list(dict.fromkeys(c for held in r.values() for c in held)) for r in rare])
    chunks = {h.chunk.chunk_id: h.chunk for hits in found for h in hits}
    sentences, sentence_vectors = store.sentences_of(list(chunks.values()))
    rows = _rows_by_chunk(sentences)
    out = []
    for part, vector, hits, names in zip(plan.parts, vectors, found, rare, strict=True):
        mine = [r for h in hits for r in rows.get(h.chunk.chunk_id, [])]
        ev = Evidence(part, vector, hits, [sentences[r] for r in mine],
                      sentence_vectors[mine] if mine else _empty())
        _with_listings(ev, listings(list(names), hits, ev.sentences, store), embedder)
        out.append(ev)
    return out


def _with_listings(ev: Evidence, found: list[Listing], embedder: Embedder) -> None:
    """Add each list entry to the evidence as a sentence, embedded as read after its lead-in
    (the line alone, "Liberia", says nothing of the list)."""
    if not found:
        return
    read = embedder.encode([f"{x.lead_in.text} {x.item.text}" for x in found])
    ev.sentences = [*ev.sentences, *(x.item for x in found)]
    ev.vectors = np.concatenate([ev.vectors.reshape(-1, read.shape[1]), read])
    ev.lead_ins = {x.item.sentence_id: x.lead_in for x in found}
    ev.list_chunks = list({c.chunk_id: c for x in found
                          for c in (x.lead_chunk, x.item_chunk)}.values())


def _rows_by_chunk(sentences: list[Sentence]) -> dict[str, list[int]]:
    """Each chunk's sentences, as row numbers of `sentences`, in order."""
    rows: dict[str, list[int]] = {}
    for row, sentence in enumerate(sentences):
        rows.setdefault(sentence.chunk_id, []).append(row)
    return rows


def _empty() -> NDArray[np.float32]:
    return np.zeros((0, 384), dtype=np.float32)
