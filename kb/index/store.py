"""The vector store: Chroma collections of chunks and sentences, cosine space,
embeddings always supplied by us (Chroma's own embedding function is never used)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kb.models import Chunk, Sentence, chunk_id_of
from kb.nlp import decode_mentions, encode_mentions
from kb.runtime import configure_runtime

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

CHUNKS = "chunks"
SENTENCES = "sentences"  # body sentences: what answers are made of
# Each kind of record has a collection of its own: a filtered Chroma query (where role=...)
# reads the metadata of every record and grew linearly with the corpus (evals/bench).
_COLLECTION_OF_ROLE = {"body": SENTENCES}
# Sentences of other roles are never an answer, so ingest neither embeds nor stores them:
# headings, and an FAQ's own question (its chunk keeps it, for ranking its answer).
STORED_ROLES = frozenset(_COLLECTION_OF_ROLE)
# A collection this small is read whole into memory on its first read by id, and read by id
# from there: each of an answer's two reads by id took 1.5-2.5 ms from Chroma, a lookup
# takes microseconds, and reading this many records whole takes about a tenth of a second
# and a few megabytes. A bigger one is read by id from Chroma, as asked.
MEMORY_RECORDS = 2_000


def _chunk_meta(c: Chunk) -> dict[str, Any]:
    return {
        "doc_id": c.doc_id, "start": c.start, "end": c.end, "kind": c.kind,
        "section": c.section, "question": c.question, "page": -1 if c.page is None else c.page,
        "sentences": c.sentences,
    }


def _chunk_from(cid: str, text: str, m: dict[str, Any]) -> Chunk:
    page = int(m["page"])
    return Chunk(
        chunk_id=cid, doc_id=str(m["doc_id"]), text=text, start=int(m["start"]),
        end=int(m["end"]), kind=str(m["kind"]), section=str(m["section"]),
        question=str(m["question"]), page=None if page < 0 else page,
        sentences=int(m["sentences"]),
    )


def _sentence_from(sid: str, text: str, m: dict[str, Any]) -> Sentence:
    return Sentence(
        sentence_id=sid, chunk_id=str(m["chunk_id"]), doc_id=str(m["doc_id"]), text=text,
        start=int(m["start"]), end=int(m["end"]), role=str(m["role"]),
        mentions=decode_mentions(str(m.get("mentions", ""))),
    )


def _chunks(got: dict[str, Any]) -> dict[str, Chunk]:
    """Chunk records from a Chroma get, by id."""
    return {i: _chunk_from(i, d, m) for i, d, m in zip(
        got["ids"], got["documents"], got["metadatas"], strict=True)}


def _sentences(got: dict[str, Any], row: int | None = None) -> list[Sentence]:
    """Sentence records from a Chroma get (row None) or from one row of a query."""
    ids, docs, metas = got["ids"], got["documents"], got["metadatas"]
    if row is not None:
        ids, docs, metas = ids[row], docs[row], metas[row]
    return [_sentence_from(i, d, m) for i, d, m in zip(ids, docs, metas, strict=True)]


class VectorStore:
    """Chunks and answerable sentences with their embeddings, in one Chroma
    folder, or in a Chroma server's collections whose names start with `prefix` (`client`
    an HttpClient). Counts are cached: a store is written by one ingest and then only read."""

    def __init__(self, path: Path | None = None, client: Any = None, prefix: str = "") -> None:
        configure_runtime()
        if client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            client = chromadb.PersistentClient(
                path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
        self.path = path
        self._client = client
        self._c = {name: self._collection(prefix + name)
                   for name in (CHUNKS, SENTENCES)}
        self._counts: dict[str, int] = {}
        self._batch = int(self._client.get_max_batch_size())
        # Each small collection's records (chunk or sentence, embedding) by id; None for one
        # too big to hold (see MEMORY_RECORDS).
        self._held: dict[str, dict[str, tuple[Any, NDArray[np.float32]]] | None] = {}
        self._holding = threading.Lock()  # questions may read at once

    def _collection(self, name: str) -> Any:
        return self._client.get_or_create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def copy_from(self, other: VectorStore) -> None:
        """Add every record of `other`, embeddings and all (an incremental ingest's start
        in a server, where there is no folder to copy)."""
        self._forget()
        for name in other._c:
            for got in other._pages(name, embeddings=True):
                if got["ids"]:
                    self._c[name].add(ids=got["ids"], documents=got["documents"],
                                      metadatas=got["metadatas"], embeddings=got["embeddings"])

    def _pages(self, name: str, embeddings: bool = False) -> Iterator[dict[str, Any]]:
        """Every record of collection `name`, a batch at a time."""
        include = ["documents", "metadatas", *(["embeddings"] if embeddings else [])]
        for offset in range(0, self._count(name), self._batch):
            yield self._c[name].get(include=include, limit=self._batch, offset=offset)

    def _forget(self) -> None:
        """After a write: counts and records held in memory are read again."""
        self._counts.clear()
        with self._holding:
            self._held.clear()

    def _count(self, name: str) -> int:
        if name not in self._counts:
            self._counts[name] = int(self._c[name].count())
        return self._counts[name]

    def close(self) -> None:
        self._client.close()

    # -- writing ---------------------------------------------------------------------------
    def add_chunks(self, chunks: Sequence[Chunk], vectors: NDArray[np.float32]) -> None:
        self._forget()
        for i in range(0, len(chunks), self._batch):
            part = chunks[i : i + self._batch]
            self._c[CHUNKS].add(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                metadatas=[_chunk_meta(c) for c in part],
                embeddings=vectors[i : i + self._batch],
            )

    def add_sentences(self, sentences: Sequence[Sentence], vectors: NDArray[np.float32]) -> None:
        """Store the sentences of the roles an answer may quote (`STORED_ROLES`)."""
        self._forget()
        for role, name in _COLLECTION_OF_ROLE.items():
            rows = [i for i, s in enumerate(sentences) if s.role == role]
            for i in range(0, len(rows), self._batch):
                part = [sentences[r] for r in rows[i : i + self._batch]]
                self._c[name].add(
                    ids=[s.sentence_id for s in part],
                    documents=[s.text for s in part],
                    metadatas=[
                        {"chunk_id": s.chunk_id, "doc_id": s.doc_id, "start": s.start,
                         "end": s.end, "role": s.role, "mentions": encode_mentions(s.mentions)}
                        for s in part
                    ],
                    embeddings=vectors[rows[i : i + self._batch]],
                )

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        self._forget()
        for doc_id in doc_ids:
            for collection in self._c.values():
                collection.delete(where={"doc_id": doc_id})

    # -- reading ---------------------------------------------------------------------------
    def count(self) -> tuple[int, int]:
        """Chunks, and stored sentences."""
        return self._count(CHUNKS), self._count(SENTENCES)

    def all_chunks(self) -> list[Chunk]:
        return [c for got in self._pages(CHUNKS) for c in _chunks(got).values()]

    def all_sentences(self) -> list[Sentence]:
        """Every stored sentence."""
        return [s for got in self._pages(SENTENCES) for s in _sentences(got)]

    def get_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        if not ids:
            return {}
        return _chunks(self._c[CHUNKS].get(ids=list(ids), include=["documents", "metadatas"]))

    def chunks_with_vectors(
        self, ids: Sequence[str]
    ) -> tuple[dict[str, Chunk], dict[str, NDArray[np.float32]]]:
        """`get_chunks` and the chunks' embeddings, in one read."""
        if not ids:
            return {}, {}
        held = self._records(CHUNKS)
        if held is not None:
            found = [i for i in dict.fromkeys(ids) if i in held]
            return {i: held[i][0] for i in found}, {i: held[i][1] for i in found}
        got = self._c[CHUNKS].get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
        vectors = {i: np.asarray(v, dtype=np.float32) for i, v in zip(
            got["ids"], got["embeddings"], strict=True)}
        return _chunks(got), vectors

    def _records(self, name: str) -> dict[str, tuple[Any, NDArray[np.float32]]] | None:
        """Every record of collection `name` with its embedding, by id, read whole on first
        use, if it has at most MEMORY_RECORDS records; None if it has more."""
        with self._holding:
            if name not in self._held:
                self._held[name] = None
                if self._count(name) <= MEMORY_RECORDS:
                    self._held[name] = self._read_whole(name)
            return self._held[name]

    def _read_whole(self, name: str) -> dict[str, tuple[Any, NDArray[np.float32]]]:
        out: dict[str, tuple[Any, NDArray[np.float32]]] = {}
        for got in self._pages(name, embeddings=True):
            records: list[Any] = (list(_chunks(got).values()) if name == CHUNKS
                                  else _sentences(got))
            for rid, record, vector in zip(got["ids"], records, got["embeddings"], strict=True):
                out[rid] = (record, np.asarray(vector, dtype=np.float32))
        return out

    def query_chunks(
        self, vectors: NDArray[np.float32], n: int, doc_ids: Sequence[str] = ()
    ) -> list[list[tuple[str, float]]]:
        """For each row of `vectors`, the `n` nearest chunks as (id, cosine similarity),
        from the documents `doc_ids` only if given. One call for all rows: a two-part
        question costs one read, not two."""
        total = self._count(CHUNKS)
        if total == 0:
            return [[] for _ in vectors]
        where: dict[str, Any] | None = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        got = self._c[CHUNKS].query(
            query_embeddings=list(vectors), n_results=min(n, total), where=where,
            include=["distances"],
        )
        return [[(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]
                for ids, dists in zip(got["ids"], got["distances"], strict=True)]

    def sentences_of(
        self, chunks: Sequence[Chunk]
    ) -> tuple[list[Sentence], NDArray[np.float32]]:
        """The body sentences of the given chunks, in chunk order, with their embeddings."""
        ids = [sid for c in chunks for sid in c.body_sentence_ids]
        if not ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        held = self._records(SENTENCES)
        if held is not None:
            rows = [held[i] for i in ids if i in held]
            vectors = np.asarray([v for _, v in rows], dtype=np.float32)
            return [sentence for sentence, _ in rows], vectors
        got = self._c[SENTENCES].get(ids=ids, include=["documents", "metadatas", "embeddings"])
        at = {i: n for n, i in enumerate(got["ids"])}
        order = [at[i] for i in ids if i in at]  # Chroma does not keep the order asked for
        sentences = _sentences(got)
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        return [sentences[n] for n in order], vectors[order]

    def nearest_sentence_chunks(self, vectors: NDArray[np.float32], n: int) -> list[list[str]]:
        """For each row of `vectors`, chunk ids in the order of their sentences nearest to
        it, each once."""
        total = self._count(SENTENCES)
        if total == 0:
            return [[] for _ in vectors]
        got = self._c[SENTENCES].query(
            query_embeddings=list(vectors), n_results=min(n, total), include=[],
        )
        # A sentence's id names its chunk: no need to read its metadata.
        return [list(dict.fromkeys(chunk_id_of(sid) for sid in ids)) for ids in got["ids"]]
