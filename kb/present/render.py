"""HTML for the app. Every piece of user or document text goes through `escape`, so a
question or a source containing markup shows as characters, never as live HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from kb.models import Document, GlossaryEntry

STATUS_LABEL = {"excerpt": "Excerpt", "historical": "Historical"}


def escape(text: str) -> str:
    """Text as HTML-safe characters (quotes included, for attribute values)."""
    return html.escape(text, quote=True)


def badge(status: str) -> str:
    label = STATUS_LABEL.get(status)
    if label is None:
        return ""
    return f'<span class="ipskb-badge ipskb-{escape(status)}">{label}</span>'


def link(url: str, label: str = "original") -> str:
    """A link to an http(s) address; anything else (javascript:, data:) is not linked."""
    if not re.match(r"^https?://", url):
        return ""
    return f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(label)}</a>'


def text_fragment_url(url: str, text: str) -> str:
    """The address with a text fragment, so a browser scrolls to and highlights `text`."""
    words = " ".join(text.split()[:12])
    return f"{url}#:~:text={quote(words, safe='')}" if url else ""


def passage_html(doc: Document, start: int, end: int, context: int = 700) -> str:
    """The cited passage highlighted inside the document text around it, under its title."""
    head = f"<b>{escape(doc.title)}</b> {badge(doc.status)} {link(doc.url)}"
    return (f'<div class="ipskb-passage"><div>{head}</div>'
            f"{context_html(doc, start, end, context)}</div>")


def context_html(doc: Document, start: int, end: int, context: int = 700) -> str:
    """`doc.text[start:end]` highlighted, with up to `context` characters either side."""
    lo = max(0, start - context)
    hi = min(len(doc.text), end + context)
    lo = doc.text.rfind("\n", 0, lo) + 1 if lo else 0  # start at a line boundary
    if hi < len(doc.text):  # and end between words: "Coast Guar …" reads as a typo
        hi = max(end, doc.text.rfind(" ", end, hi + 1), doc.text.rfind("\n", end, hi + 1))
    before, cited, after = doc.text[lo:start], doc.text[start:end], doc.text[end:hi]
    body = (
        ("… " if lo else "") + escape(before) + f'<mark class="ipskb-mark">{escape(cited)}</mark>'
        + escape(after) + (" …" if hi < len(doc.text) else "")
    )
    return f'<div class="ipskb-context">{body}</div>'


def sources_table_html(documents: Iterable[Document]) -> str:
    """Every ingested document with its provenance and status, in a table that scrolls
    sideways on a narrow screen rather than being cut off."""
    body = []
    for doc in documents:
        status = badge(doc.status) or escape(doc.status.capitalize())
        body.append(
            "<tr>"
            f"<td><b>{escape(doc.title)}</b><br><code>{escape(doc.doc_id)}</code></td>"
            f"<td>{escape(doc.publisher)}</td><td>{escape(doc.date)}</td>"
            f"<td>{escape(kind_label(doc.kind))}</td><td>{status}</td><td>{link(doc.url)}</td>"
            "</tr>"
        )
    head = ("<tr><th>Document</th><th>Publisher</th><th>Date</th><th>Kind</th><th>Status</th>"
            "<th>Address</th></tr>")
    return _scrolling(f'<table class="ipskb-table">{head}{"".join(body)}</table>')


def kind_label(kind: str) -> str:
    """The kind of document without the curator's note after it ("tri-fold PDF brochure;
    this is its extracted text, ..." is shown as "tri-fold PDF brochure")."""
    return kind.split(";", 1)[0].strip()


def _scrolling(table: str) -> str:
    hint = '<div class="ipskb-scroll-hint" aria-hidden="true">Swipe sideways for more columns</div>'
    return f'{hint}<div class="ipskb-scroll" tabindex="0">{table}</div>'


def glossary_table_html(entries: Sequence[GlossaryEntry], documents: dict[str, Document]) -> str:
    """Terms with their expansions and where each is defined."""
    body = []
    for e in entries:
        doc = documents.get(e.doc_id)
        title = doc.title if doc else e.doc_id
        where = escape(title)
        if doc is not None and doc.url:
            defining = doc.text[e.start : e.end]
            where += " " + link(text_fragment_url(doc.url, defining), "see it in the original")
        body.append(f"<tr><td><b>{escape(e.term)}</b></td><td>{escape(e.expansion)}</td>"
                    f"<td>{where}</td></tr>")
    head = "<tr><th>Term</th><th>Stands for</th><th>Defined in</th></tr>"
    return _scrolling(f'<table class="ipskb-table">{head}{"".join(body)}</table>')
