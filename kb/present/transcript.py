"""The chat transcript as HTML: each question as typed, each answer with its own sources
beneath it, its `[n]` markers linked to them, and a copy button giving its plain text.

Every piece of text is escaped exactly once, here, and the result is shown as HTML (not
Markdown), so `'`, `"`, `&`, `<` and Markdown syntax show as typed and nothing in a question
or a document can become markup or a link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kb.answer.cite import marker
from kb.models import Answer, Citation, Document
from kb.present.answer_view import RELATED_LABEL, Paragraph, paragraphs, plain_text
from kb.present.render import badge, context_html, escape, link, text_fragment_url
from kb.shown import excerpt

# A refused question is quoted this far: it was not asked, and a question of thousands of
# characters would push its own error off the screen.
REFUSED_ECHO = 200
PASSAGE_CONTEXT = 300  # characters of document text shown around an opened citation
EMPTY = ('<div class="ipskb-empty">Ask a question, or pick an example question. Answers '
         'quote the documents; open a source under an answer to read it in context.</div>')
HEADINGS = {"abstain": "Where the contact is given",
            "related": "Closest passages (not an answer)"}
KIND_CLASS = {"extractive": "ipskb-answer",
              "related": "ipskb-answer ipskb-related", "abstain": "ipskb-answer ipskb-abstain",
              "llm": "ipskb-answer ipskb-written"}
WRITTEN_LABEL = "Written by a language model; each sentence checked against its quote"
WRITING = "Writing an answer (each sentence is checked against its source before it is shown): "


@dataclass
class Turn:
    """One exchange on screen: the question as typed and its answer, or the error it met."""

    n: int  # 1-based, unique within a chat: element ids are made from it
    question: str
    answer: Answer | None = None
    error: str = ""
    partial: str | None = None  # the answer's text so far, while it streams in
    # The documents of the index generation the answer came from: after an ingest, its
    # citations still open the text they quote. None: the documents passed in.
    documents: dict[str, Document] | None = None


def cite_id(turn: int, n: int) -> str:
    """The element id of citation `n` under answer `turn`."""
    return f"ipskb-t{turn}-c{n}"


def transcript_html(turns: Sequence[Turn], documents: dict[str, Document]) -> str:
    """The whole chat, oldest first."""
    if not turns:
        return f'<div class="ipskb-transcript">{EMPTY}</div>'
    body = "".join(turn_html(t, documents) for t in turns)
    return f'<div class="ipskb-transcript">{body}</div>'


def turn_html(turn: Turn, documents: dict[str, Document]) -> str:
    """A question and what came back for it."""
    asked = excerpt(turn.question, REFUSED_ECHO) if turn.error else turn.question
    question = f'<div class="ipskb-q">{escape(asked)}</div>'
    if turn.error:
        said = turn.error[:1].upper() + turn.error[1:]  # errors are phrased to follow "error:"
        reply = f'<div class="ipskb-error" role="alert">{escape(said)}</div>'
    elif turn.answer is None or turn.partial is not None:
        reply = f'<div class="ipskb-answer ipskb-streaming">{escape(turn.partial or "")}</div>'
    else:
        own = turn.documents if turn.documents is not None else documents
        reply = answer_html(turn.n, turn.answer, own)
    return f'<section class="ipskb-turn" id="ipskb-t{turn.n}">{question}{reply}</section>'


def answer_html(turn: int, answer: Answer, documents: dict[str, Document]) -> str:
    """An answer, styled by its mode, with its sources beneath it."""
    label = (f'<div class="ipskb-label">{escape(RELATED_LABEL)}</div>'
             if answer.hedged else "")
    if answer.mode == "llm":
        label = f'<div class="ipskb-label ipskb-written-label">{escape(WRITTEN_LABEL)}</div>'
    body = "".join(_paragraph_html(turn, p) for p in paragraphs(answer))
    body += "".join(f'<p class="ipskb-notice">{escape(n)}</p>' for n in answer.notices or [])
    plain_id = f"ipskb-plain-{turn}"
    copy = (f'<button type="button" class="ipskb-copy" data-for="{plain_id}" '
            f'aria-label="Copy this answer as plain text">Copy</button>'
            f'<pre class="ipskb-plain" id="{plain_id}" hidden>{escape(plain_text(answer))}</pre>')
    return (f'<div class="{KIND_CLASS[answer.mode]}" data-mode="{answer.mode}">'
            f'{label}{body}<div class="ipskb-tools">{copy}</div></div>'
            f'{sources_html(turn, answer, documents)}')


def _paragraph_html(turn: int, paragraph: Paragraph) -> str:
    pieces = []
    for piece in paragraph.pieces:
        if isinstance(piece, Citation):
            pieces.append(marker_html(turn, piece))
        else:
            pieces.append(escape(piece))
    return f'<p class="ipskb-{paragraph.role}">{"".join(pieces)}</p>'


def marker_html(turn: int, c: Citation) -> str:
    """"[n]" (or "[n, historical]") linking to, and opening, citation n of this answer."""
    target = cite_id(turn, c.n)
    return (f'<a class="ipskb-marker" href="#{target}" data-cite="{target}" '
            f'title="{escape(c.title)}">{escape(marker(c))}</a>')


def sources_html(turn: int, answer: Answer, documents: dict[str, Document]) -> str:
    """The answer's citations, each opening onto its passage highlighted in context."""
    if not answer.citations:
        return ""
    heading = HEADINGS.get(answer.mode, "Sources")
    items = "".join(_source_item(turn, c, documents.get(c.source), answer.abstained)
                    for c in answer.citations)
    return (f'<div class="ipskb-sources"><div class="ipskb-sources-h">{heading}</div>'
            f'{items}</div>')


def _source_item(turn: int, c: Citation, doc: Document | None, contact: bool) -> str:
    date = c.date or (doc.date if doc else "")
    parts = [f'<span class="ipskb-n">[{c.n}]</span> <b>{escape(c.title)}</b>']
    if c.location and not contact:  # a contact's location is the page's, not the contact's
        parts.append(f'<span class="ipskb-loc">{escape(c.location)}</span>')
    if date:
        parts.append(f'<span class="ipskb-date">{escape(date)}</span>')
    parts += [badge(c.status), link(text_fragment_url(c.url, c.quote))]
    summary = " · ".join(p for p in parts if p)
    passage = (context_html(doc, c.start, c.end, PASSAGE_CONTEXT) if doc is not None
               else f'<div class="ipskb-context">{escape(c.quote)}</div>')
    return (f'<details class="ipskb-cite" id="{cite_id(turn, c.n)}">'
            f'<summary>{summary}</summary>{passage}</details>')
