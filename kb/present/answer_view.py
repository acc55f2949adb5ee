"""What an answer says on screen, built from its fields (mode, sentences, citations,
uncovered parts, reasons, language), never from its wording, so the app and the copied
text say the same thing and a `related` answer can never pass for an answer.

An answer becomes paragraphs of pieces: plain strings and citation markers. `render`
turns them into HTML (markers link to their citation); `plain_text` into the text that the
copy button gives, markers as "[n]".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.answer.cite import CANNOT_ANSWER, CUT_OFF_NOTE, NO_CONTACT, marker
from kb.answer.contact import contact_details
from kb.answer.notices import CLOSEST, ENGLISH_NOTICE, NOTICES
from kb.models import Answer, Citation

RELATED_LABEL = "Not a direct answer: the documents do not state what was asked"
NOT_ANSWERED_PART = "The documents do not answer this part of the question:"
CONTACT_LEAD = "For help, contact:"
GIVEN_IN = "as given in"
# Why a non-current source matters; one note per status, whatever number of citations.
STATUS_NOTES = {
    "excerpt": ("is from an excerpt", "are from excerpts",
                "the full document may say more or qualify it."),
    "historical": ("is from a historical document", "are from historical documents",
                   "superseded or dated: do not present it as current; check it against "
                   "current guidance."),
}

Piece = str | Citation


@dataclass
class Paragraph:
    """One paragraph of an answer: text pieces and citation markers, with its role."""

    pieces: list[Piece] = field(default_factory=list)
    role: str = "text"  # "text" | "note" | "reason" | "contact" | "detail"


def paragraphs(answer: Answer) -> list[Paragraph]:
    """The answer's paragraphs, in reading order."""
    if answer.abstained:
        return _abstention(answer)
    out: list[Paragraph] = []
    if answer.hedged:
        out += [Paragraph([reason], "reason") for reason in answer.reasons]
        out.append(Paragraph([CLOSEST], "reason"))
    out.append(_sentences(answer))
    if not answer.hedged:
        out += [Paragraph([f"{NOT_ANSWERED_PART} \u201c{part}\u201d"], "note")
                for part in answer.uncovered]
    return out + status_notes(answer.citations)


def _sentences(answer: Answer) -> Paragraph:
    by_n = {c.n: c for c in answer.citations}
    pieces: list[Piece] = []
    for s in answer.sentences:
        pieces.append((" " if pieces else "") + " ".join(s.text.split()) + " ")
        pieces.append(by_n[s.citation])
    return Paragraph(pieces)


def _abstention(answer: Answer) -> list[Paragraph]:
    own = NOTICES.get(answer.language) if answer.language != "en" else None
    out = [Paragraph([own], "reason")] if own else []
    out.append(Paragraph([ENGLISH_NOTICE if answer.language != "en" else CANNOT_ANSWER]))
    if not answer.citations:
        return [*out, Paragraph([NO_CONTACT])]
    out.append(Paragraph([CONTACT_LEAD]))
    for c in answer.citations:
        out.append(Paragraph([f"{c.who} ", c], "contact"))
        out += [Paragraph([detail], "detail") for detail in contact_details(c)]
        out.append(Paragraph([f"({GIVEN_IN} {c.title})"], "detail"))
    return out + status_notes(answer.citations)


def status_notes(citations: list[Citation]) -> list[Paragraph]:
    """One note per status that needs one: "Note: [2], [3] are from excerpts: ..."."""
    notes = []
    for status, (one, many, why) in STATUS_NOTES.items():
        cited = [c for c in citations if c.status == status]
        if not cited:
            continue
        pieces: list[Piece] = ["Note: "]
        for i, c in enumerate(cited):
            pieces += [", " if i else "", c]
        pieces.append(f" {one if len(cited) == 1 else many}: {why}")
        notes.append(Paragraph([p for p in pieces if p != ""], "note"))
    return notes + [Paragraph(["Note: ", c, f" {CUT_OFF_NOTE}"], "note")
                    for c in citations if c.cut_off]


def plain_text(answer: Answer, references: bool = True) -> str:
    """The answer as plain text with its markers, then its references: what "copy" gives."""
    lines = []
    if answer.hedged:
        lines.append(RELATED_LABEL + ".")
    lines += ["".join(marker(p) if isinstance(p, Citation) else p for p in par.pieces).strip()
              for par in paragraphs(answer)]
    if references and answer.citations:
        lines += ["", "Sources:", *(reference_line(c, answer.abstained) for c in answer.citations)]
    return "\n".join(lines)


def reference_line(c: Citation, contact: bool = False) -> str:
    """"[1] Title — location (historical) https://..." on one line. A contact's location
    is where the page shows it, not where the contact is, so it is left out."""
    parts = [f"[{c.n}] {c.title}"]
    if c.location and not contact:
        parts.append(f"\u2014 {c.location}")
    if c.status != "current":
        parts.append(f"({c.status})")
    if c.url:
        parts.append(c.url)
    return " ".join(parts)
