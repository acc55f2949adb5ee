"""Checking a written answer against its sources, in code: nothing the model says is taken
on trust.

Each sentence keeps only the citations whose quote occurs in the passage it names (case,
whitespace and typographic quotes and dashes aside) and is long enough to back something;
a number naming no passage is stripped. A sentence left with no checked quote is dropped,
and so is one stating a number its quotes do not hold, or, in English, one that shares too
few of its words with them or disagrees with them on a negation. Each citation's quote is
then the exact source text the model's quote matched, never the model's own copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kb import rules
from kb.answer.cite import citation, marker, status_notes
from kb.answer.parse import Claim, Quote
from kb.answer.prompt import Passage
from kb.index.lexical import terms
from kb.models import AnswerSentence, Citation, Document, Sentence

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_EDGES = " \t\n\"'“”‘’«»….,;:"


@dataclass
class Checked:
    """The sentences that passed, their citations, and what was dropped and why."""

    text: str
    sentences: list[AnswerSentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    total: int = 0  # sentences the model wrote

    @property
    def kept(self) -> int:
        return len(self.sentences)


def check(claims: Sequence[Claim], found: Sequence[Passage], documents: dict[str, Document],
          english: bool) -> Checked:
    """The claims that hold, rendered with exact-source citations numbered from 1."""
    by_n = {p.n: p for p in found}
    out = Checked(text="", total=len(claims))
    spans: dict[tuple[str, int, int], Citation] = {}
    lines: list[str] = []
    for claim in claims:
        body = claim.body
        invented = sorted({n for n in [*claim.markers, *(q.passage for q in claim.quotes)]
                           if n not in by_n})
        if invented:
            out.notices.append(f"Removed citation {_numbers(invented)}: no such passage.")
        located = [(by_n[q.passage], span) for q in claim.quotes if q.passage in by_n
                   for span in [locate(q, by_n[q.passage])] if span is not None]
        reason = _rejection(body, located, english)
        if reason:
            out.notices.append(f"Dropped \u201c{_short(body)}\u201d: {reason}.")
            continue
        cited: list[Citation] = []
        for passage, (start, end) in located:
            key = (passage.chunk.doc_id, start, end)
            if key not in spans:
                doc = documents[passage.chunk.doc_id]
                spans[key] = citation(len(spans) + 1, passage.chunk,
                                      [_span(passage, start, end)], doc)
                out.citations.append(spans[key])
            if spans[key] not in cited:
                cited.append(spans[key])
        out.sentences += [AnswerSentence(body, cited[0].n)]
        lines.append(f"{body} {''.join(marker(c) for c in cited)}")
    out.text = " ".join(lines)
    notes = status_notes(out.citations)
    if notes and out.text:
        out.text += "\n\n" + "\n".join(notes)
    return out


def locate(quote: Quote, passage: Passage) -> tuple[int, int] | None:
    """Where the quote is in the passage's document (offsets into its text), if it occurs
    in the text the model was shown and is long enough to back something."""
    wanted = quote.text.strip(_EDGES)
    if len(wanted) < rules.QUOTE_MIN_CHARS:
        return None
    needle = _fold(wanted)[0]
    if needle not in _fold(passage.shown)[0]:
        return None  # not in what the model read (a removed sentence included)
    folded, where = _fold(passage.chunk.text)
    at = folded.find(needle)
    if at < 0:
        return None
    start = passage.chunk.start + where[at]
    end = passage.chunk.start + where[at + len(needle) - 1] + 1
    return start, end


def _rejection(body: str, located: list[tuple[Passage, tuple[int, int]]],
               english: bool) -> str:
    if not body or not located:
        return "its quote is not in the passage it cites" if body else "it is empty"
    quoted = " ".join(p.chunk.text[s - p.chunk.start:e - p.chunk.start]
                      for p, (s, e) in located)
    missing = set(_NUMBER.findall(body)) - set(_NUMBER.findall(quoted))
    if missing:
        return f"it states {', '.join(sorted(missing))}, which its quotes do not"
    if english:
        said = terms(body)
        if said and len(said & terms(quoted)) / len(said) < rules.SUPPORT_MIN:
            return "its quotes do not say what it says"
        if bool(rules.NEGATION.search(body)) != bool(rules.NEGATION.search(quoted)):
            return "it and its quotes disagree on a negation"
    return ""


def _fold(text: str) -> tuple[str, list[int]]:
    """`text` case-folded, typographic variants folded (rules.QUOTE_FOLD) and whitespace
    collapsed to single spaces, with the offset in `text` of each character kept."""
    out: list[str] = []
    where: list[int] = []
    space = True  # no leading space
    for i, ch in enumerate(text.translate(rules.QUOTE_FOLD)):
        if ch.isspace():
            if not space:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        for folded in ch.casefold():
            out.append(folded)
            where.append(i)
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def _span(passage: Passage, start: int, end: int) -> Sentence:
    chunk = passage.chunk
    return Sentence(sentence_id=f"{chunk.chunk_id}@{start}", chunk_id=chunk.chunk_id,
                    doc_id=chunk.doc_id, text="", start=start, end=end)


def _numbers(ns: list[int]) -> str:
    return ", ".join(f"[{n}]" for n in ns)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
