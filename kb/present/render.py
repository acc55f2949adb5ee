"""HTML for the app. Every piece of user or document text goes through `escape`, so a
question or a source containing markup shows as characters, never as live HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from kb.models import Answer, Citation, Document, GlossaryEntry

STATUS_LABEL = {"excerpt": "Excerpt", "historical": "Historical"}
# Markdown syntax that could turn source text into links, images or emphasis.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def escape(text: str) -> str:
    """Text as HTML-safe characters (quotes included, for attribute values)."""
    return html.escape(text, quote=True)


def escape_markdown(text: str) -> str:
    """Text for a Markdown-rendering component: HTML escaped and Markdown syntax neutralised."""
    return _MARKDOWN.sub(r"\\\1", escape(text))


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


def citations_html(answer: Answer, documents: dict[str, Document]) -> str:
    """The sources under an answer: number, title, location, date, status, link."""
    if not answer.citations:
        return ""
    heading = ("Who to contact" if answer.abstained else
               "Closest passages: the documents do not state what was asked"
               if answer.hedged else "Sources")
    items = []
    for c in answer.citations:
        doc = documents.get(c.source)
        date = c.date or (doc.date if doc else "")
        parts = [f'<span class="ipskb-n">[{c.n}]</span> <b>{escape(c.title)}</b>']
        if c.location:
            parts.append(f'<span class="ipskb-loc">{escape(c.location)}</span>')
        if date:
            parts.append(f'<span class="ipskb-date">{escape(date)}</span>')
        parts.append(badge(c.status))
        parts.append(link(text_fragment_url(c.url, c.quote)))
        items.append(f'<li id="ipskb-cite-{c.n}">{" · ".join(p for p in parts if p)}</li>')
    return f'<div class="ipskb-sources"><h4>{heading}</h4><ol>{"".join(items)}</ol></div>'


def passage_html(doc: Document, start: int, end: int, context: int = 700) -> str:
    """The cited passage highlighted inside the document text around it."""
    lo = max(0, start - context)
    hi = min(len(doc.text), end + context)
    lo = doc.text.rfind("\n", 0, lo) + 1 if lo else 0  # start at a line boundary
    before, cited, after = doc.text[lo:start], doc.text[start:end], doc.text[end:hi]
    head = f"<b>{escape(doc.title)}</b> {badge(doc.status)} {link(doc.url)}"
    body = (
        ("… " if lo else "") + escape(before) + f'<mark class="ipskb-mark">{escape(cited)}</mark>'
        + escape(after) + (" …" if hi < len(doc.text) else "")
    )
    return (f'<div class="ipskb-passage"><div>{head}</div>'
            f'<div class="ipskb-context" style="white-space: pre-wrap">{body}</div></div>')


def sources_table_html(rows: Iterable[tuple[Document, int]]) -> str:
    """Every ingested document with its provenance, status and chunk count."""
    body = []
    for doc, chunks in rows:
        body.append(
            "<tr>"
            f"<td><b>{escape(doc.title)}</b><br><code>{escape(doc.doc_id)}</code></td>"
            f"<td>{escape(doc.publisher)}</td><td>{escape(doc.date)}</td>"
            f"<td>{escape(doc.kind)}</td><td>{escape(doc.status)} {badge(doc.status)}</td>"
            f"<td>{chunks}</td><td>{link(doc.url)}</td>"
            "</tr>"
        )
    head = ("<tr><th>Document</th><th>Publisher</th><th>Date</th><th>Kind</th><th>Status</th>"
            "<th>Chunks</th><th>Address</th></tr>")
    return f'<table class="ipskb-table">{head}{"".join(body)}</table>'


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
    return f'<table class="ipskb-table">{head}{"".join(body)}</table>'


def citation_choice(c: Citation) -> str:
    """The label of a citation in the "open a citation" selector."""
    flag = f" ({c.status})" if c.status != "current" else ""
    where = f" — {c.location}" if c.location else ""
    return f"[{c.n}] {c.title}{where}{flag}"


CSS = """
.ipskb-badge {padding: 1px 6px; border-radius: 4px; font-size: 0.8em; font-weight: 600;}
.ipskb-historical {background: #fde2e1; color: #8a1c1c;}
.ipskb-excerpt {background: #fff3cd; color: #7a5b00;}
.ipskb-mark {background: #ffe066; padding: 0 2px;}
.ipskb-sources ol {list-style: none; padding-left: 0;}
.ipskb-table td, .ipskb-table th {padding: 4px 8px; vertical-align: top; text-align: left;}
.ipskb-context {max-height: 420px; overflow-y: auto; border-left: 3px solid #ccc;
  padding-left: 8px; margin-top: 6px;}
"""
