"""The vector store: Chroma collections of chunks and sentences, cosine space,
embeddings always supplied by us (Chroma's own embedding function is never used)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kb.models import Chunk, Sentence
from kb.runtime import configure_runtime

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

CHUNKS = "chunks"
SENTENCES = "sentences"


def _chunk_meta(c: Chunk) -> dict[str, Any]:
    return {
        "doc_id": c.doc_id, "start": c.start, "end": c.end, "kind": c.kind,
        "section": c.section, "question": c.question, "page": -1 if c.page is None else c.page,
    }


def _chunk_from(cid: str, text: str, m: dict[str, Any]) -> Chunk:
    page = int(m["page"])
    return Chunk(
        chunk_id=cid, doc_id=str(m["doc_id"]), text=text, start=int(m["start"]),
        end=int(m["end"]), kind=str(m["kind"]), section=str(m["section"]),
        question=str(m["question"]), page=None if page < 0 else page,
    )


def _sentence_from(sid: str, text: str, m: dict[str, Any]) -> Sentence:
    return Sentence(
        sentence_id=sid, chunk_id=str(m["chunk_id"]), doc_id=str(m["doc_id"]), text=text,
        start=int(m["start"]), end=int(m["end"]), role=str(m["role"]),
    )


class VectorStore:
    """Chunks and sentences with their embeddings, in one Chroma folder."""

    def __init__(self, path: Path) -> None:
        configure_runtime()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.path = path
        self._client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self._chunks = self._collection(CHUNKS)
        self._sentences = self._collection(SENTENCES)
        self._batch = int(self._client.get_max_batch_size())

    def _collection(self, name: str) -> Any:
        return self._client.get_or_create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def close(self) -> None:
        self._client.close()  # type: ignore[attr-defined]  # Client has it, ClientAPI not

    # -- writing ---------------------------------------------------------------------------
    def add_chunks(self, chunks: Sequence[Chunk], vectors: NDArray[np.float32]) -> None:
        for i in range(0, len(chunks), self._batch):
            part = chunks[i : i + self._batch]
            self._chunks.add(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                metadatas=[_chunk_meta(c) for c in part],
                embeddings=vectors[i : i + self._batch],
            )

    def add_sentences(self, sentences: Sequence[Sentence], vectors: NDArray[np.float32]) -> None:
        for i in range(0, len(sentences), self._batch):
            part = sentences[i : i + self._batch]
            self._sentences.add(
                ids=[s.sentence_id for s in part],
                documents=[s.text for s in part],
                metadatas=[
                    {"chunk_id": s.chunk_id, "doc_id": s.doc_id, "start": s.start,
                     "end": s.end, "role": s.role}
                    for s in part
                ],
                embeddings=vectors[i : i + self._batch],
            )

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            self._chunks.delete(where={"doc_id": doc_id})
            self._sentences.delete(where={"doc_id": doc_id})

    # -- reading ---------------------------------------------------------------------------
    def count(self) -> tuple[int, int]:
        return int(self._chunks.count()), int(self._sentences.count())

    def all_chunks(self) -> list[Chunk]:
        out: list[Chunk] = []
        total = self._chunks.count()
        for offset in range(0, total, self._batch):
            got = self._chunks.get(
                include=["documents", "metadatas"], limit=self._batch, offset=offset
            )
            out += [_chunk_from(i, d, m) for i, d, m in zip(
                got["ids"], got["documents"], got["metadatas"], strict=True)]
        return out

    def get_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        if not ids:
            return {}
        got = self._chunks.get(ids=list(ids), include=["documents", "metadatas"])
        return {i: _chunk_from(i, d, m) for i, d, m in zip(
            got["ids"], got["documents"], got["metadatas"], strict=True)}

    def chunk_vectors(self, ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        if not ids:
            return {}
        got = self._chunks.get(ids=list(ids), include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(
            got["ids"], got["embeddings"], strict=True)}

    def query_chunks(self, vector: NDArray[np.float32], n: int) -> list[tuple[str, float]]:
        """The `n` nearest chunks as (id, cosine similarity)."""
        total = self._chunks.count()
        if total == 0:
            return []
        got = self._chunks.query(
            query_embeddings=[vector], n_results=min(n, total), include=["distances"]
        )
        return [(i, 1.0 - float(d)) for i, d in zip(
            got["ids"][0], got["distances"][0], strict=True)]

    def sentences_of(
        self, chunk_ids: Sequence[str]
    ) -> tuple[list[Sentence], NDArray[np.float32]]:
        """Sentence records of the given chunks with their stored embeddings."""
        if not chunk_ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        got = self._sentences.get(
            where={"chunk_id": {"$in": list(chunk_ids)}},
            include=["documents", "metadatas", "embeddings"],
        )
        sentences = [_sentence_from(i, d, m) for i, d, m in zip(
            got["ids"], got["documents"], got["metadatas"], strict=True)]
        return sentences, np.asarray(got["embeddings"], dtype=np.float32)

    def nearest_sentence_chunks(self, vector: NDArray[np.float32], n: int) -> list[str]:
        """Chunk ids in the order of their sentences nearest to `vector`, each once."""
        total = self._sentences.count()
        if total == 0:
            return []
        got = self._sentences.query(
            query_embeddings=[vector], n_results=min(n, total), where={"role": "body"},
            include=["metadatas"],
        )
        return list(dict.fromkeys(str(m["chunk_id"]) for m in got["metadatas"][0]))

    def nearest_questions(
        self, vector: NDArray[np.float32], n: int
    ) -> list[tuple[Sentence, float]]:
        """FAQ questions nearest to `vector`, as (sentence, cosine similarity)."""
        if self._sentences.count() == 0:
            return []
        got = self._sentences.query(
            query_embeddings=[vector], n_results=n, where={"role": "question"},
            include=["documents", "metadatas", "distances"],
        )
        return [
            (_sentence_from(i, d, m), 1.0 - float(dist))
            for i, d, m, dist in zip(got["ids"][0], got["documents"][0],
                                     got["metadatas"][0], got["distances"][0], strict=True)
        ]
