"""The knowledge base: an opened index that answers questions with citations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.answer.compose import Library, compose
from kb.index import generations as index
from kb.index.embedder import Embedder
from kb.index.lexical import LexicalIndex, terms
from kb.index.store import VectorStore
from kb.models import Answer, Citation, Document, GlossaryEntry, Hit
from kb.nlp import Pipeline
from kb.query.analyse import Analyser, clean
from kb.query.naming import DocumentNames
from kb.query.parts import Turn
from kb.query.plan import QueryPlan
from kb.retrieve.evidence import Evidence, gather
from kb.retrieve.fusion import Method, Retriever
from kb.settings import Settings

_WORD = re.compile(r"[A-Za-z]+")


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
        nlp: Pipeline | None = None,
    ) -> None:
        self.settings = settings
        self.folder = folder
        self.store = store
        self.documents = documents
        self.chunk_counts = chunk_counts
        self.embedder = embedder
        self.glossary: list[GlossaryEntry] = list(glossary or [])
        self.retriever = Retriever(store, lexical, settings)
        found = store.get_chunks(contact_ids)
        contacts = [found[cid] for cid in contact_ids if cid in found]
        self.library = Library.of(documents, lexical, contacts, self.glossary)
        # Names a question may use: the documents' words and their titles, publishers, dates.
        vocabulary = lexical.vocabulary | terms(" ".join(
            f"{d.title} {d.publisher} {d.date} {d.kind}" for d in documents.values()))
        words = {w for d in documents.values() for w in _WORD.findall(f"{d.title} {d.text}")}
        self.analyser = Analyser(
            nlp or Pipeline(), DocumentNames(documents), vocabulary, words,
            {e.term: e.expansion for e in self.glossary}, self.library.naming,
            settings.max_question_chars)

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
        self.settings = self.retriever.settings = settings

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
        return self.library.contact_citations()

    def lexical_hits(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        """Keyword (BM25) matches alone, as (chunk id, score)."""
        return self.retriever.lexical.search(query, k)

    def search(self, query: str, k: int | None = None, method: Method | None = None) -> list[Hit]:
        """Retrieved passages for `query`, best first."""
        text = clean(query, self.settings.max_question_chars)
        return self.retriever.search(text, self.embedder.encode_one(text), k, method)

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer:
        """Answer `question` from the documents, every sentence cited, or say why not.
        `history`: the earlier turns, as questions or (question, answer text) pairs."""
        plan = self.plan(question, history)
        return self.compose(plan, self.gather(plan))

    def plan(self, question: str, history: Sequence[Turn] | None = None) -> QueryPlan:
        """What `question` asks (raises QuestionError when it is empty or too long)."""
        return self.analyser.analyse(question, list(history or []))

    def gather(self, plan: QueryPlan) -> list[Evidence]:
        """Everything the index holds for the plan's parts."""
        if not plan.readable or plan.define:
            return []
        return gather(plan, self.retriever, self.store, self.embedder, self.settings.faq_first)

    def compose(self, plan: QueryPlan, evidence: list[Evidence]) -> Answer:
        """The answer to `plan` from `evidence`."""
        return compose(plan, evidence, self.library, self.settings)
