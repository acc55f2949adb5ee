"""Split a cleaned document into chunks and sentence records.

FAQ questions with their answers form one unit; prose is split by its headings, then by
size. Every chunk and sentence carries offsets into the cleaned document text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.clean import is_headingish, is_question
from ingest.sentences import split_sentences
from kb.models import Chunk, Document, Sentence, chunk_id, sentence_id
from kb.rules import LEAD_IN

_STATUTE_LABEL = re.compile(r"^(\((?:[a-z]|\d{1,2})\)\s+[A-Z][^.—:]{0,80})\.?\s*—")
_CONTACT_LEAD = re.compile(r"\bcontact\b.*:$", re.IGNORECASE)
_MARKER = re.compile(r"^\[[^\]]*\]$")
# A phone number, an e-mail or a web address ("FEACT Maritime Security (uscg.mil)").
_CONTACT_DETAIL = re.compile(
    r"\d{3}.?\d{4}|@|www\.|https?://|\b[\w-]+\.(?:gov|mil|org|com|net|int|edu)\b")
# A sentence ends in punctuation, or (statute list items) in "; and", "; or", ", or".
_ENDS_SENTENCE = re.compile(r"(?:[.!?;:]|[;,]\s+(?:and|or))[\"'”’)\]]*$")
_QUESTION_START = re.compile(
    r"^(What|How|Why|Who|When|Where|Which|Is|Are|Can|Could|Do|Does|Will|Would|Should|If)\b"
)


@dataclass
class _Unit:
    kind: str  # "faq" | "prose" | "contact"
    start: int
    section: str
    question: str = ""
    lines: list[tuple[int, int]] = field(default_factory=list)  # (start, end) per line
    has_body: bool = False

    @property
    def end(self) -> int:
        return self.lines[-1][1] if self.lines else self.start


def _lines(text: str) -> list[tuple[str, int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((line, pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _is_faq_question(line: str) -> bool:
    return is_question(line) and len(line) <= 300 and bool(_QUESTION_START.match(line))


def _units(text: str) -> list[_Unit]:
    """Group the document's lines into FAQ, contact and prose units."""
    units: list[_Unit] = []
    section = ""
    lines = _lines(text)
    for i, (line, start, end) in enumerate(lines):
        nxt = lines[i + 1][0] if i + 1 < len(lines) else ""
        cur = units[-1] if units else None
        label = _STATUTE_LABEL.match(line)
        if _is_faq_question(line):
            if cur is not None and cur.kind == "prose" and not cur.has_body:
                # A heading right above the question ("The Basics") joins its FAQ unit.
                cur.kind, cur.question = "faq", line
            else:
                units.append(_Unit("faq", start, section, question=line))
        elif _CONTACT_LEAD.search(line):
            units.append(_Unit("contact", start, section or "Contact"))
        elif label or _heading(line, nxt, cur):
            section = label.group(1) if label else line.rstrip(":")
            if cur is None or cur.has_body or cur.kind == "faq":
                units.append(_Unit("prose", start, section))
            else:
                cur.section = section
        elif cur is None:
            units.append(_Unit("prose", start, section))
        unit = units[-1]
        unit.lines.append((start, end))
        if not (unit.kind == "faq" and line == unit.question):
            unit.has_body = unit.has_body or not is_headingish(line)
    return units


def _heading(line: str, nxt: str, cur: _Unit | None) -> bool:
    if not is_headingish(line) or not nxt:
        return False
    if cur is not None and cur.kind == "contact":
        # Inside a contact block short lines are names and numbers; only a heading followed
        # by real text ends the block.
        return len(nxt.split()) >= 10 or _is_faq_question(nxt)
    return True


def chunk_document(
    doc: Document, chunk_size: int, chunk_overlap: int
) -> tuple[list[Chunk], list[Sentence]]:
    """Return the chunks and sentence records of `doc`."""
    chunks: list[Chunk] = []
    for unit in _units(doc.text):
        for start, end in _split(doc.text, unit, chunk_size, chunk_overlap):
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.doc_id, len(chunks)),
                    doc_id=doc.doc_id,
                    text=doc.text[start:end],
                    start=start,
                    end=end,
                    kind=unit.kind,
                    section=unit.section,
                    question=unit.question,
                    page=doc.page_at(start),
                )
            )
    sentences = [s for c in chunks for s in chunk_sentences(c)]
    return chunks, sentences


def _split(text: str, unit: _Unit, size: int, overlap: int) -> list[tuple[int, int]]:
    start, end = unit.start, unit.end
    limit = 2 * size if unit.kind == "faq" else size  # an FAQ answer stays whole if it can
    if end - start <= limit:
        return [(start, end)]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=overlap,
        separators=["\n", ". ", "; ", ", ", " ", ""],
        keep_separator="end",
        add_start_index=True,
    )
    spans = []
    for piece in splitter.create_documents([text[start:end]]):
        s = start + int(piece.metadata["start_index"])
        spans.append((s, s + len(piece.page_content)))
    return spans


def chunk_sentences(chunk: Chunk) -> list[Sentence]:
    """Sentence records of a chunk; an FAQ's own question is kept apart as role "question".
    Sets `chunk.sentences`, the count of body sentences (see `kb.models.sentence_id`)."""
    out = []
    q_at = chunk.text.find(chunk.question) if chunk.question else -1
    q_start, q_end = chunk.start + q_at, chunk.start + q_at + len(chunk.question)
    numbers = {"body": 0, "question": 0, "heading": 0}
    for text, start, end in split_sentences(chunk.text, chunk.start):
        if _MARKER.match(text):
            continue
        if q_at >= 0 and q_start <= start < q_end:
            role = "question"
        elif start == 0 and not _ENDS_SENTENCE.search(text):
            # A document's opening line that does not end like a sentence is its title,
            # however long or lower-case ("46 U.S. Code § 70108 - Foreign port assessment").
            role = "heading"
        elif _CONTACT_DETAIL.search(text):
            role = "body"  # "Phone: (202) 372-1213" answers "what number do I call?"
        elif _is_title(text):
            role = "heading"  # titles, headings, table cells: never an answer
        else:
            role = "body"
        out.append(
            Sentence(
                sentence_id=sentence_id(chunk.chunk_id, role, numbers[role]),
                chunk_id=chunk.chunk_id,
                doc_id=chunk.doc_id,
                text=text,
                start=start,
                end=end,
                role=role,
            )
        )
        numbers[role] += 1
    chunk.sentences = numbers["body"]
    return out


def _is_title(text: str) -> bool:
    """A heading, title or table cell rather than a sentence: short, or mostly capitalised,
    and not ending like a sentence (statute items ending in "; or" are sentences). A short
    lead-in in lower case ("Visits typically include:") opens a list and is a sentence; a
    capitalised one ("Countries Affected:") heads a section."""
    if _ENDS_SENTENCE.search(text) and len(text.split()) >= 4:
        return False
    words = [w for w in text.split() if w[0].isalpha()]
    if not words:
        return True
    capitalised = sum(w[0].isupper() for w in words) / len(words)
    if LEAD_IN.search(text) and len(words) >= 2 and capitalised <= 0.5:
        return False
    return len(text.split()) < 8 or capitalised > 0.6
