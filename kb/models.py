"""Plain records passed between ingest, the store, retrieval and answering."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# How an answer that does not answer opens: an abstention, and a related answer (the
# documents touch the topic but do not state what was asked). The composer writes them; a
# follow-up's analysis reads an earlier answer that opens so as saying nothing of the subject.
CANNOT_ANSWER = "The IPS Program documents I have do not answer this question."
NOT_STATED = "The documents do not"

Status = Literal["current", "excerpt", "historical"]
# "llm": written by a language model, each sentence checked against its quoted passage.
Mode = Literal["extractive", "related", "abstain", "llm"]


@dataclass
class Document:
    """One source file, cleaned, with its provenance."""

    doc_id: str  # path relative to the sources folder, POSIX style
    title: str
    text: str  # cleaned text; every offset in the index points into it
    content_hash: str
    publisher: str = ""
    url: str = ""
    date: str = ""
    kind: str = ""
    status: str = "current"
    # What people call it ("the brochure", "the Seychelles notice"): a question that names
    # a document wants its words.
    aliases: list[str] = field(default_factory=list)
    # (offset where a page starts in `text`, page number), PDFs only
    pages: list[tuple[int, int]] = field(default_factory=list)
    encoding: str = ""  # the text encoding the file was read in; "" for a PDF

    def page_at(self, offset: int) -> int | None:
        page = None
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        data = dict(data)
        data["pages"] = [tuple(p) for p in data.get("pages", [])]
        return cls(**data)


@dataclass
class GlossaryEntry:
    """An acronym or term as a document defines it: "Maritime Transportation Security Act
    (MTSA)" gives term "MTSA", expansion "Maritime Transportation Security Act"."""

    term: str
    expansion: str
    doc_id: str
    start: int  # offsets of the defining text in the cleaned document text
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Chunk:
    """A retrievable passage: an FAQ question with its answer, or a piece of a section."""

    chunk_id: str
    doc_id: str
    text: str  # == document.text[start:end]
    start: int
    end: int
    kind: str = "prose"  # "faq" | "prose" | "contact"
    section: str = ""
    question: str = ""  # the FAQ question, for FAQ chunks
    page: int | None = None
    sentences: int = 0  # how many body sentences it has (see `body_sentence_ids`)

    @property
    def body_sentence_ids(self) -> list[str]:
        """The ids of its body sentences, which answers are made of."""
        return [sentence_id(self.chunk_id, "body", n) for n in range(self.sentences)]

    @property
    def location(self) -> str:
        parts = []
        if self.question:
            parts.append(self.question)
        elif self.section:
            parts.append(self.section)
        if self.page is not None:
            parts.append(f"page {self.page}")
        return ", ".join(parts)


def chunk_id(doc_id: str, n: int) -> str:
    """The id of a document's `n`-th chunk: "<document key>-<n>", so that the chunks of a
    document are known by their ids alone (see `doc_key`)."""
    return f"{doc_key(doc_id)}-{n:05d}"


def chunk_number(chunk_id_: str) -> int:
    """`n` of a chunk id made by `chunk_id`: where the chunk falls in its document."""
    return int(chunk_id_.rsplit("-", 1)[1])


def doc_key(doc_id: str) -> str:
    """The prefix of the ids of a document's chunks: a hash of its id (ids are paths, which
    Chroma ids should not carry)."""
    return hashlib.sha1(doc_id.encode()).hexdigest()[:12]


def sentence_id(chunk_id: str, role: str, n: int) -> str:
    """The id of a chunk's `n`-th sentence of `role`: "<chunk id>.<n>" for body sentences,
    so that a chunk's answerable sentences are fetched by id; "<chunk id>.q<n>" and
    ".h<n>" for FAQ questions and headings."""
    prefix = "" if role == "body" else role[0]
    return f"{chunk_id}.{prefix}{n}"


def chunk_id_of(sentence_id: str) -> str:
    """The chunk a sentence id (see `sentence_id`) belongs to."""
    return sentence_id.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Mention:
    """A fact of some kind a sentence states: ("date", "April 12, 2019"), found at ingest."""

    kind: str  # "person", "organisation", "place", "date", "duration", "count", ... (kb.rules)
    text: str


@dataclass
class Sentence:
    """A sentence of a chunk, embedded at ingest so answering needs no encoding but the question."""

    sentence_id: str
    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    role: str = "body"  # "body" | "question" (an FAQ's question) | "heading" (not stored)
    mentions: list[Mention] = field(default_factory=list)  # what it states, by kind

    def kinds(self) -> set[str]:
        return {m.kind for m in self.mentions}


@dataclass
class Hit:
    """A chunk found by retrieval, with how each retriever ranked it."""

    chunk: Chunk
    score: float  # fused score
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    lexical_score: float | None = None
    sentence_rank: int | None = None  # rank by the passage's best-matching sentence


@dataclass
class Retrieval:
    """One part of a question as searched: its text, the search query it became (with
    context and the documents' words added), the query embedding and the passages found."""

    text: str
    query: str
    vector: Any  # numpy float32 vector
    hits: list[Hit]
    named: list[str] = field(default_factory=list)  # ids of documents the part names


@dataclass
class Citation:
    """A numbered source passage behind one or more answer sentences."""

    n: int
    source: str
    title: str
    url: str
    location: str
    status: str
    quote: str  # exact text of the cited document between start and end
    start: int
    end: int
    date: str = ""
    who: str = ""  # a contact: who answers, as the documents name it (kb.answer.contact)
    cut_off: bool = False  # its last sentence stops mid-way, where the kept excerpt ends

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "url": self.url,
            "location": self.location,
            "status": self.status,
            "quote": self.quote,
        }


@dataclass
class AnswerSentence:
    text: str  # verbatim source sentence
    citation: int  # its citation number


@dataclass
class Answer:
    """What `KnowledgeBase.ask` returns."""

    question: str
    text: str
    mode: Mode
    citations: list[Citation] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)  # parts the documents do not answer
    confidence: float = 0.0  # 0-1: how sure the composer is that the sentences answer
    reasons: list[str] = field(default_factory=list)  # why it hedged or abstained
    language: str = "en"  # the question's language
    # What the written-answer checks dropped, or why they fell back to the extractive
    # answer; None when no language model was asked (the offline default).
    notices: list[str] | None = None

    @property
    def abstained(self) -> bool:
        return self.mode == "abstain"

    @property
    def hedged(self) -> bool:
        """The documents touch the topic but do not state what was asked."""
        return self.mode == "related"

    def to_json(self) -> dict[str, Any]:
        """The stable contract of ``ipskb ask --json``."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "mode": self.mode,
            "confidence": round(self.confidence, 3),
            "uncovered": list(self.uncovered),
            "citations": [c.to_json() for c in self.citations],
            **({} if self.notices is None else {"notices": list(self.notices)}),
        }


@dataclass
class SourceInfo:
    """A document in the index, for listings."""

    document: Document
    chunks: int
