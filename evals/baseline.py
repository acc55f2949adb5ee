"""The textbook LangChain pipeline a user would otherwise build, as a point of comparison.

Documents are split with ``RecursiveCharacterTextSplitter(chunk_size=800, chunk_overlap=100)``,
embedded with the same model as ipskb, stored in a Chroma collection (cosine), and a question
is answered with the single nearest chunk. No cleaning, no keyword search, no sentence
selection, no abstention.

Chroma is used through ``chromadb`` directly: LangChain's own Chroma vector store lives in
the separate ``langchain-chroma`` or the sunset ``langchain-community`` package, neither of
which the project installs. Embeddings are always passed in explicitly, so Chroma's default
embedding function (which would download another model) is never used.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from ingest.loaders import load_pages
from ingest.sources import discover
from kb.errors import KBError
from kb.index.embedder import Embedder
from kb.runtime import configure_runtime
from kb.settings import Settings

log = logging.getLogger(__name__)

CHUNK_SIZE = 800
CHUNK_OVERLAP = 100
COLLECTION = "baseline"


class LangChainBaseline:
    """Split, embed, store in Chroma, answer with the top chunk: ``build`` then ``answer``."""

    def __init__(self, embedder: Embedder, collection: Any, client: Any,
                 workspace: tempfile.TemporaryDirectory[str] | None) -> None:
        self.embedder = embedder
        self._collection = collection
        self._client = client
        self._workspace = workspace  # kept so the temp store lives as long as the baseline
        self.chunks = int(collection.count())

    @classmethod
    def build(cls, documents: Path, embedder: Embedder | None = None,
              path: Path | None = None) -> LangChainBaseline:
        """Index every readable file under `documents` in a Chroma store at `path` (default:
        a temporary folder removed with the baseline)."""
        configure_runtime()  # telemetry off before chromadb is imported
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        workspace = None
        if path is None:
            workspace = tempfile.TemporaryDirectory(prefix="ipskb-baseline-")
            path = Path(workspace.name)
        client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        collection = client.get_or_create_collection(
            COLLECTION, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        embedder = embedder or Embedder(Settings())
        texts, sources = split_documents(documents)
        _add(collection, int(client.get_max_batch_size()), texts, sources, embedder)
        log.info("baseline: %d chunks from %s", len(texts), documents)
        return cls(embedder, collection, client, workspace)

    def search(self, question: str, k: int = 1) -> list[tuple[str, str]]:
        """The `k` nearest chunks as (chunk text, source file), nearest first."""
        if self.chunks == 0:
            return []
        got = self._collection.query(
            query_embeddings=self.embedder.encode([question]), n_results=min(k, self.chunks),
            include=["documents", "metadatas"],
        )
        return [(str(text), str(meta["source"]))
                for text, meta in zip(got["documents"][0], got["metadatas"][0], strict=True)]

    def answer(self, question: str) -> tuple[str, str]:
        """The baseline's answer: the nearest chunk's text and its source file."""
        found = self.search(question, 1)
        return found[0] if found else ("", "")

    def close(self) -> None:
        """Release the Chroma client and remove a temporary store."""
        self._client.close()
        if self._workspace is not None:
            self._workspace.cleanup()


def split_documents(documents: Path) -> tuple[list[str], list[str]]:
    """Chunk texts and their source files, as the textbook splitter cuts raw document text."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    sources, _ = discover(documents)
    texts: list[str] = []
    names: list[str] = []
    for source in sources:
        try:
            pages = load_pages(source.path)
        except KBError as exc:  # the same files the product skips
            log.warning("baseline skipped %s: %s", source.doc_id, exc)
            continue
        for piece in splitter.split_text("\n\n".join(pages)):
            texts.append(piece)
            names.append(source.doc_id)
    return texts, names


def _add(collection: Any, batch: int, texts: list[str], sources: list[str],
         embedder: Embedder) -> None:
    vectors = embedder.encode(texts)
    for i in range(0, len(texts), batch):
        collection.add(
            ids=[str(n) for n in range(i, min(i + batch, len(texts)))],
            documents=texts[i : i + batch],
            metadatas=[{"source": s} for s in sources[i : i + batch]],
            embeddings=vectors[i : i + batch],
        )
