"""Read source files into raw text: .txt, .md, .html and .pdf.

Each loader returns pages of raw text (one page for everything but PDF); cleaning happens
afterwards, page by page, so that PDF page numbers survive.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path

from kb.errors import LoadError

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
MAX_BYTES = 50 * 1024 * 1024  # a source larger than this is almost surely not a document


def load_pages(path: Path) -> list[str]:
    """Return the raw text of `path`, one string per page; raise LoadError with the reason."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LoadError(f"unsupported file type {suffix!r} (supported: {', '.join(SUFFIXES)})")
    data = path.read_bytes()
    if not data.strip():
        raise LoadError("file is empty")
    if len(data) > MAX_BYTES:
        raise LoadError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    if suffix == ".pdf":
        pages = _pdf_pages(path)
    else:
        text = _decode(data)
        if suffix in (".md", ".markdown"):
            text = markdown_to_text(text)
        elif suffix in (".html", ".htm"):
            text = html_to_text(text)
        pages = [text]
    if not any(p.strip() for p in pages):
        raise LoadError("no text could be extracted")
    return pages


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise LoadError("file looks binary (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"file is not valid UTF-8 text (byte {exc.start})") from exc
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 8192):
        raise LoadError("file looks binary (many control characters)")
    return text


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            # Owner-password-only PDFs open with an empty user password.
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise LoadError(f"encrypted PDF could not be opened: {exc}") from exc
            if not ok:
                raise LoadError("PDF is encrypted with a password; save an unencrypted copy")
        return [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"corrupt or unreadable PDF: {exc}") from exc


def markdown_to_text(source: str) -> str:
    """Markdown to plain text: one line per heading, paragraph and list item."""
    from markdown_it import MarkdownIt

    lines: list[str] = []
    for token in MarkdownIt("commonmark").parse(source):
        if token.type == "inline":
            text = "".join(
                child.content if child.type in ("text", "code_inline") else " "
                for child in token.children or []
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            lines.append(re.sub(r"\s+", " ", text).strip())
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.strip())
    return "\n".join(line for line in lines if line)


_BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "header", "footer", "dt", "dd", "table", "ul", "ol", "blockquote", "pre",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "svg"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            # Whitespace inside HTML text is not significant; only block tags break lines.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(source: str) -> str:
    """HTML to plain text: block elements become lines; scripts and styles are dropped."""
    parser = _TextExtractor()
    parser.feed(source)
    parser.close()
    raw_lines = "".join(parser.parts).split("\n")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in raw_lines)
    return "\n".join(line for line in lines if line)
