"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by reciprocal rank fusion."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from kb.index.lexical import LexicalIndex, terms
from kb.index.store import VectorStore
from kb.models import Chunk, Hit, doc_key
from kb.settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

Method = Literal["hybrid", "dense", "bm25"]
# The two semantic rankings (passages, best sentences) share one vote against the keyword
# ranking; with a full vote each, semantics drowned keywords (evals/report.md, dev split).
# The passages of documents the question names ("according to the brochure") get a full
# vote: the asker has said where the answer is.
FUSION_WEIGHTS = (0.5, 0.5, 1.0, 1.0, 1.0)
# A name held by this few passages is specific: they are a ranking of their own, with a
# full vote (after the named documents' one, or in its place).
RARE_NAME_PASSAGES = 3
# Candidates are read from the store this many per hit wanted at a time (some are skipped
# as duplicates or for the per-document cap); most questions need one read.
READ_WINDOW = 2


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
        return self.search_many([query], vector[None, :], k, method)[0]

    def search_many(
        self, queries: Sequence[str], vectors: NDArray[np.float32], k: int | None = None,
        method: Method | None = None, named: Sequence[Sequence[str]] | None = None,
        rare: Sequence[Sequence[str]] | None = None,
    ) -> list[list[Hit]]:
        """`search` for several queries (the parts of one question), reading the store
        once for all of them. `named`: for each query, the documents it names; their
        passages are a ranking of their own in the fusion (see `_in_named`) and may fill
        the hit list past the per-document cap. `rare`: for each query, the passages
        holding the rare names it gives (see `rare_names`), a ranking of their own."""
        k = k or self.settings.top_k
        method = method or self.settings.retrieval
        n = self.settings.candidates
        semantic = method != "bm25"
        dense = self.store.query_chunks(vectors, n) if semantic else [[] for _ in queries]
        # Passages ranked by their single best sentence: a one-sentence fact in a long
        # passage is found even when the passage as a whole looks unrelated.
        by_sentence = (self.store.nearest_sentence_chunks(vectors, 2 * n) if semantic
                       else [[] for _ in queries])
        lexical = [self.lexical.search(q, n) if method != "dense" else [] for q in queries]
        rankings = [[[i for i, _ in d], s[:n], [i for i, _ in lx]]
                    for d, s, lx in zip(dense, by_sentence, lexical, strict=True)]
        if named and semantic:
            for ranks, vector, docs in zip(rankings, vectors, named, strict=True):
                if docs:
                    ranks.append(self._in_named(ranks, vector, docs))
        if rare and method != "dense":
            for ranks, passages in zip(rankings, rare, strict=True):
                if passages:
                    ranks.append(list(passages))
        fused = [rrf(r, self.settings.rrf_k, FUSION_WEIGHTS)[: 4 * k] for r in rankings]
        first = self.store.chunks_with_vectors(
            list(dict.fromkeys(cid for f in fused for cid, _ in f[: READ_WINDOW * k])))
        return [
            self._hits(f, vector, k, first, d, s[:n], lx, docs)
            for f, vector, d, s, lx, docs in zip(fused, vectors, dense, by_sentence, lexical,
                                                 named or [[] for _ in queries], strict=True)
        ]

    def rare_names(self, names: Sequence[str]) -> dict[str, list[str]]:
        """Of the names a question gives, those few passages hold, with those passages
        ("Liberia", on one line of a list). The question is about such a name, and a search
        for all of its words can rank them below passages sharing its commoner words
        ("countries", "conditions of entry"). A name of several words is as rare as its
        rarest ("Port Tau" as "Tau")."""
        out: dict[str, list[str]] = {}
        for name in names:
            words = terms(name)
            if not words:
                continue
            rarest = max(sorted(words), key=self.lexical.weight)
            holding = [cid for cid, score in self.lexical.search(rarest, RARE_NAME_PASSAGES + 1)
                       if score > 0]
            if 0 < len(holding) <= RARE_NAME_PASSAGES:
                out[name] = holding
        return out

    def _in_named(
        self, rankings: list[list[str]], vector: NDArray[np.float32], docs: Sequence[str]
    ) -> list[str]:
        """The passages of the documents a query names, in the order the other rankings
        fuse them, then any of theirs nearest to the query that no ranking found."""
        keys = tuple(f"{doc_key(d)}-" for d in docs)
        found = [cid for cid, _ in rrf(rankings, self.settings.rrf_k, FUSION_WEIGHTS)
                 if cid.startswith(keys)]
        nearest = self.store.query_chunks(vector[None, :], self.settings.per_document, docs)[0]
        return list(dict.fromkeys([*found, *(cid for cid, _ in nearest)]))

    def _hits(
        self, fused: list[tuple[str, float]], vector: NDArray[np.float32], k: int,
        first: tuple[dict[str, Chunk], dict[str, NDArray[np.float32]]],
        dense: list[tuple[str, float]], by_sentence: list[str], lexical: list[tuple[str, float]],
        named: Sequence[str] = (),
    ) -> list[Hit]:
        dense_at = {cid: (rank, score) for rank, (cid, score) in enumerate(dense, start=1)}
        lex_at = {cid: (rank, score) for rank, (cid, score) in enumerate(lexical, start=1)}
        sentence_at = {cid: rank for rank, cid in enumerate(by_sentence, start=1)}
        hits: list[Hit] = []
        seen: set[str] = set()
        per_doc: Counter[str] = Counter()
        for cid, score, chunk, similarity in self._candidates(fused, vector, k, first):
            key = " ".join(chunk.text.split()).lower()
            if key in seen:  # the same passage from two files (or two overlapping splits)
                continue
            # Room for a second document: questions often span two. A document the question
            # names may fill the list.
            cap = k if chunk.doc_id in named else self.settings.per_document
            if per_doc[chunk.doc_id] >= cap:
                continue
            seen.add(key)
            per_doc[chunk.doc_id] += 1
            d, lx = dense_at.get(cid), lex_at.get(cid)
            hits.append(Hit(
                chunk=chunk, score=score,
                dense_rank=d[0] if d else None,
                # Passages found by keywords alone get their semantic similarity too:
                # answering weighs every passage by it.
                dense_score=d[1] if d else similarity,
                lexical_rank=lx[0] if lx else None, lexical_score=lx[1] if lx else None,
                sentence_rank=sentence_at.get(cid),
            ))
            if len(hits) == k:
                break
        return hits

    def _candidates(
        self, fused: list[tuple[str, float]], vector: NDArray[np.float32], k: int,
        first: tuple[dict[str, Chunk], dict[str, NDArray[np.float32]]],
    ) -> Iterator[tuple[str, float, Chunk, float]]:
        """Fused candidates with their chunk and its similarity to the query. The first
        window was read already; most questions need no more."""
        window = READ_WINDOW * k
        for at in range(0, len(fused), window):
            part = fused[at : at + window]
            chunks, vectors = first if at == 0 else self.store.chunks_with_vectors(
                [cid for cid, _ in part])
            for cid, score in part:
                if cid in chunks:
                    yield cid, score, chunks[cid], float(vectors[cid] @ vector)
