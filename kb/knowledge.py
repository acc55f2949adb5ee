"""The knowledge base: an opened index that answers questions with citations."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.answer.compose import Composer
from kb.errors import QuestionError
from kb.index import generations as index
from kb.index.embedder import Embedder
from kb.index.lexical import LexicalIndex
from kb.index.store import VectorStore
from kb.models import Answer, Citation, Document, GlossaryEntry, Hit, Retrieval
from kb.query.naming import DocumentNames
from kb.query.vocabulary import expand
from kb.retrieve.fusion import Method, Retriever
from kb.settings import Settings

# A turn of history: a plain earlier question, or a (question, answer) pair.
Turn = str | tuple[str, str]

_TAG = re.compile(r"<[^>]{0,500}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FOLLOW_UP = re.compile(
    r"^(and|but|also|so|then|what about|how about|and how|and who|and what|what if)\b"
    r"|\b(it|its|that|this|those|these|they|them|their|there|one|ones|he|she|him|her)\b",
    re.IGNORECASE,
)


_PART_BREAK = re.compile(
    r"(?:,\s*|\s+)and\s+(?=(?:how|what|when|where|which|who|whom|why|under|is|are|does|"
    r"do|did|can|(?:on|to|for|with|by|through|at|in|from|of|since|under) (?:what|which|whom))\b)",
    re.IGNORECASE,
)
_AFTER_QUESTION = re.compile(r"(?<=\?)\s+(?=\S)")


def split_question(question: str) -> list[str]:
    """The parts of a question that asks two things ("When X, and who Y?")."""
    asked: list[str] = []
    for piece in _AFTER_QUESTION.split(question):
        # A remark after a question ("The FAQ and the brochure differ.") qualifies it.
        if asked and not piece.rstrip().endswith("?"):
            asked[-1] += f" {piece}"
        else:
            asked.append(piece)
    parts = [p.strip(" ,;") for a in asked for p in _PART_BREAK.split(a)]
    parts = [p for p in parts if len(p.split()) >= 3]
    return parts if len(parts) > 1 else [question]


@dataclass
class SourceInfo:
    """A document in the index, for listings."""

    document: Document
    chunks: int


class KnowledgeBase:
    """Open with `KnowledgeBase.open(settings)`; ask with `kb.ask(question, history)`."""

    def __init__(
        self, settings: Settings, folder: Path, store: VectorStore, lexical: LexicalIndex,
        documents: dict[str, Document], chunk_counts: dict[str, int], embedder: Embedder,
        glossary: list[GlossaryEntry] | None = None, contact_ids: Sequence[str] = (),
    ) -> None:
        self.settings = settings
        self.folder = folder
        self.store = store
        self.documents = documents
        self.chunk_counts = chunk_counts
        self.embedder = embedder
        self.glossary: list[GlossaryEntry] = list(glossary or [])
        self.retriever = Retriever(store, lexical, settings)
        self.names = DocumentNames(documents)
        found = store.get_chunks(contact_ids)
        contacts = [found[cid] for cid in contact_ids if cid in found]
        self.composer = Composer(store, lexical, documents, contacts, settings)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> KnowledgeBase:
        """Open the live index; raises IndexMissingError or IndexMismatchError."""
        folder = index.require_generation(settings)
        meta = index.read_meta(folder)
        return cls(
            settings, folder, VectorStore(folder / "chroma"), LexicalIndex.load(folder / "bm25"),
            index.read_documents(folder), dict(meta.get("chunks_per_document", {})),
            embedder or Embedder(settings), index.read_glossary(folder),
            meta.get("contacts", []),
        )

    def use_settings(self, settings: Settings) -> None:
        """Answer with other retrieval or answering settings (the index stays the same)."""
        self.settings = self.retriever.settings = self.composer.settings = settings

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sources(self) -> list[SourceInfo]:
        """Every ingested document with its chunk count, in file order."""
        return [
            SourceInfo(doc, self.chunk_counts.get(doc_id, 0))
            for doc_id, doc in sorted(self.documents.items())
        ]

    def contacts(self) -> list[Citation]:
        """Who to ask, as the documents give it (current documents first)."""
        return self.composer.contact_citations()

    def lexical_hits(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        """Keyword (BM25) matches alone, as (chunk id, score)."""
        return self.retriever.lexical.search(query, k)

    def search(self, query: str, k: int | None = None, method: Method | None = None) -> list[Hit]:
        """Retrieved passages for `query`, best first."""
        text = self._clean(query)
        return self.retriever.search(text, self.embedder.encode_one(text), k, method)

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer:
        """Answer `question` from the documents, every sentence cited, or abstain."""
        return self.composer.compose(question.strip(), self.retrieve(question, history))

    def retrieve(self, question: str, history: Sequence[Turn] | None = None) -> list[Retrieval]:
        """Search for each part of the question: "X, and when did Y?" is two searches."""
        parts = split_question(self._clean(question))
        turns: list[Turn] = list(history or [])
        # A later part that points back ("and in which division did that person work?") is
        # searched with the part before it, as a follow-up question would be.
        asked = [self.retrieval_query(part, [*turns, *parts[:i]]) for i, part in enumerate(parts)]
        # "According to the brochure, ..." wants the brochure's words.
        named = [self.names.named_in(a) for a in asked]
        queries = [expand(a) for a in asked]
        vectors = self.embedder.encode_queries(queries)
        found = self.retriever.search_many(queries, vectors, named=named)
        return [
            Retrieval(part, query, vector, hits, docs)
            for part, query, vector, hits, docs in zip(
                parts, queries, vectors, found, named, strict=True)
        ]

    def _clean(self, text: str) -> str:
        """The text to search with: no markup, no control characters, sane length."""
        text = _CONTROL.sub(" ", html.unescape(_TAG.sub(" ", text)))
        text = " ".join(text.split())
        if not text:
            raise QuestionError("the question is empty")
        if len(text) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question is {len(text)} characters long; the limit is "
                f"{self.settings.max_question_chars}: ask about one thing at a time"
            )
        return text

    @staticmethod
    def retrieval_query(question: str, history: Sequence[Turn]) -> str:
        """A follow-up ("and how do I request one?") is searched with the question before it."""
        if not history or not _FOLLOW_UP.search(question) or len(question.split()) > 15:
            return question
        last = history[-1]
        previous = last if isinstance(last, str) else last[0]
        return f"{' '.join(previous.split())} {question}"
