"""Turning chosen source sentences into an `Answer`: numbered citations, status markers,
notes; and the abstention, which cites only who to ask."""

from __future__ import annotations

from collections.abc import Sequence

from kb import rules
from kb.answer.contact import contact_name, contact_text
from kb.models import (
    CANNOT_ANSWER,
    Answer,
    AnswerSentence,
    Chunk,
    Citation,
    Document,
    Hit,
    Mode,
    Sentence,
)

NO_CONTACT = "The documents name no contact for further questions."
STATUS_NOTES = {
    "historical": "is from a historical document (superseded or dated): do not present it as "
    "current; check it against current guidance.",
    "excerpt": "is from an excerpt: the full document may say more or qualify it.",
}
STATUS_ORDER = {"current": 0, "excerpt": 1, "historical": 2}
CUT_OFF_NOTE = ("stops mid-sentence where the copy kept ends: the sentence goes on in the "
                "full document.")


def marker(citation: Citation) -> str:
    """"[n]", or "[n, historical]" / "[n, excerpt]" for a source not to take as current."""
    if citation.status == "current":
        return f"[{citation.n}]"
    return f"[{citation.n}, {citation.status}]"


def status_notes(citations: Sequence[Citation]) -> list[str]:
    """One note per historical or excerpt citation, saying how far to rely on it, and one
    per citation whose quote stops mid-sentence."""
    notes = [
        f"Note: [{c.n}] {STATUS_NOTES[c.status]}" for c in citations if c.status in STATUS_NOTES
    ]
    return notes + [f"Note: [{c.n}] {CUT_OFF_NOTE}" for c in citations if c.cut_off]


def cut_off(doc: Document, sentence: Sentence) -> bool:
    """Whether `sentence` stops mid-way because the document as kept stops there."""
    return bool(rules.ENDS_ON_A_WORD.search(sentence.text)) and bool(
        rules.NOTHING_BUT_A_MARK.fullmatch(doc.text, sentence.end))


def citation(n: int, chunk: Chunk, sentences: Sequence[Sentence], doc: Document) -> Citation:
    """Citation `n`: the span of `doc` from the first to the last of `sentences`."""
    start = min(s.start for s in sentences)
    final = max(sentences, key=lambda s: s.end)
    end = final.end
    label = chunk.question or chunk.section
    first, last = doc.page_at(start), doc.page_at(end - 1)  # the quote's own pages
    pages = "" if first is None else (
        f"page {first}" if first == last else f"pages {first}\u2013{last}")
    location = ", ".join(x for x in (label, pages) if x)
    return Citation(
        n=n, source=doc.doc_id, title=doc.title, url=doc.url, location=location,
        status=doc.status, quote=doc.text[start:end], start=start, end=end, date=doc.date,
        cut_off=cut_off(doc, final),
    )


def render(
    question: str, mode: Mode, chosen: Sequence[Sentence], hits: Sequence[Hit],
    documents: dict[str, Document], more: Sequence[Chunk] = (),
) -> Answer:
    """The answer text: each sentence verbatim with its marker, one citation per passage,
    current guidance first; then the status notes. A sentence comes from a hit's passage
    or one of `more`."""
    by_chunk: dict[str, list[Sentence]] = {}
    for s in chosen:  # passages in order of their best sentence
        by_chunk.setdefault(s.chunk_id, []).append(s)
    chunks = {c.chunk_id: c for c in more} | {h.chunk.chunk_id: h.chunk for h in hits}
    citations: list[Citation] = []
    lines: list[AnswerSentence] = []
    order = sorted(by_chunk.items(), key=lambda item: STATUS_ORDER.get(
        documents[chunks[item[0]].doc_id].status, 0))
    for n, (chunk_id, group) in enumerate(order, start=1):
        group.sort(key=lambda s: s.start)
        chunk = chunks[chunk_id]
        citations.append(citation(n, chunk, group, documents[chunk.doc_id]))
        lines += [AnswerSentence(s.text, n) for s in group]
    text = " ".join(f"{line.text} {marker(citations[line.citation - 1])}" for line in lines)
    notes = status_notes(citations)
    if notes:
        text += "\n\n" + "\n".join(notes)
    return Answer(question=question, text=text, mode=mode, citations=citations,
                  sentences=lines, hits=list(hits))


def contact_citations(contacts: Sequence[Chunk], documents: dict[str, Document],
                      program: str) -> list[Citation]:
    """The program contacts the documents give, from current documents when any do, each
    named by who answers (`program` when its block names no office)."""
    current = [c for c in contacts if documents[c.doc_id].status == "current"]
    citations = []
    for n, chunk in enumerate(current or contacts, start=1):
        doc = documents[chunk.doc_id]
        citation = Citation(
            # No location: the place a contact block sits under (a page's "Brunssum, The
            # Netherlands") is not where the contact is.
            n=n, source=doc.doc_id, title=doc.title, url=doc.url, location="",
            status=doc.status, quote=chunk.text, start=chunk.start,
            end=chunk.end, date=doc.date,
        )
        citation.who = contact_name(citation, program)
        citations.append(citation)
    return citations


def abstention(question: str, hits: Sequence[Hit], contacts: list[Citation]) -> Answer:
    """Say plainly that the documents do not answer, and cite only who to ask."""
    if contacts:
        # Named by who answers, not by the page the contact block is on (kb.answer.contact).
        refs = "; ".join(f"{c.who}, {contact_text(c)} {marker(c)}" for c in contacts)
        text = f"{CANNOT_ANSWER} For help, the documents give this contact: {refs}"
    else:
        text = f"{CANNOT_ANSWER} {NO_CONTACT}"
    notes = status_notes(contacts)
    if notes:
        text += "\n\n" + "\n".join(notes)
    return Answer(question=question, text=text, mode="abstain", citations=contacts,
                  hits=list(hits))
