"""The REST API's request and response schemas (they make its OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from kb.models import Document
from kb.query.parts import Turn
from kb.settings import Settings

MAX_HISTORY = 20  # earlier turns a follow-up can lean on; more is refused, not cut
MAX_ANSWER_CHARS = 20_000  # an earlier answer sent back as context
MAX_EARLIER_QUESTION = 10_000  # generous: an earlier question is context, not asked again
EarlierQuestion = Annotated[str, Field(max_length=MAX_EARLIER_QUESTION)]


class Exchange(BaseModel):
    """An earlier question with the answer it got."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., max_length=MAX_EARLIER_QUESTION,
                          description="The earlier question.")
    answer: str = Field("", max_length=MAX_ANSWER_CHARS, description="Its answer text.")


class AskRequest(BaseModel):
    """A question, with the earlier turns of the conversation for follow-ups."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., description="The question, in English.")
    history: list[EarlierQuestion | Exchange] = Field(
        default_factory=list, max_length=MAX_HISTORY,
        description="Earlier questions (or question and answer pairs), oldest first, so "
        "that a follow-up (\"and who do we contact for that?\") is read with them.")


def ask_request_model(settings: Settings) -> type[AskRequest]:
    """`AskRequest` with the question length limit of these settings in its schema."""
    limit = settings.max_question_chars
    return create_model(
        "AskRequest", __base__=AskRequest,
        question=(str, Field(..., min_length=1, max_length=limit, pattern=r"\S",
                             description=f"The question, in English; at most {limit} "
                             "characters.")),
    )


def history_turns(history: list[EarlierQuestion | Exchange]) -> list[Turn]:
    """The history as `KnowledgeBase.ask` takes it."""
    return [h if isinstance(h, str) else (h.question, h.answer) for h in history]


class CitationOut(BaseModel):
    n: int = Field(..., description="The number its [n] markers use.")
    source: str = Field(..., description="The document's id (its path in sources/).")
    title: str
    url: str = Field(..., description="The original's address; may be empty.")
    location: str = Field(..., description="Section, FAQ question or page.")
    status: Literal["current", "excerpt", "historical"]
    quote: str = Field(..., description="The cited text, verbatim.")


class AnswerOut(BaseModel):
    """The JSON contract of `ipskb ask --json`."""

    question: str
    answer: str = Field(..., description="The answer text with its [n] markers.")
    abstained: bool
    mode: Literal["extractive", "related", "abstain", "llm"] = Field(
        ..., description="related: the documents touch the topic but do not state what was "
        "asked; abstain: nothing relevant, only the program contact is cited; llm: written "
        "by the configured language model, each sentence checked against its quote.")
    confidence: float = Field(..., ge=0.0, le=1.0)
    uncovered: list[str] = Field(..., description="Parts of the question left unanswered.")
    citations: list[CitationOut]
    notices: list[str] | None = Field(
        None, description="With a language model configured only: what the checks dropped, "
        "or why the extractive answer was given instead.")


class SourceOut(BaseModel):
    """A document in the index."""

    id: str
    title: str
    publisher: str
    url: str
    date: str
    kind: str
    status: Literal["current", "excerpt", "historical"]
    passages: int = Field(..., description="How many retrievable passages it gives.")

    @classmethod
    def of(cls, doc: Document, chunks: int) -> SourceOut:
        return cls(id=doc.doc_id, title=doc.title, publisher=doc.publisher, url=doc.url,
                   date=doc.date, kind=doc.kind, status=doc.status,
                   passages=chunks)


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    index: str = Field(..., description="The index generation being served.")


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str
