"""Read source files into raw text: .txt, .md, .html and .pdf.

Each loader returns pages of raw text (one page for everything but PDF); cleaning happens
afterwards, page by page, so that PDF page numbers survive.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from kb.errors import LoadError

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
# Checked in this order: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)


@dataclass
class Extracted:
    """The raw text of one file, one string per page, and the encoding it was read in
    ("" for a PDF, whose text is not stored in one)."""

    pages: list[str]
    encoding: str


def load_pages(path: Path) -> list[str]:
    """Return the raw text of `path`, one string per page; raise LoadError with the reason."""
    return extract(path, path.read_bytes()).pages


def extract(path: Path, data: bytes) -> Extracted:
    """The text of a file already read as `data`; `path` names its type. Raises LoadError."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LoadError(f"unsupported file type {suffix!r} (supported: {', '.join(SUFFIXES)})")
    if not data.strip():
        raise LoadError("file is empty")
    encoding = ""
    if suffix == ".pdf":
        pages = _pdf_pages(data)
    else:
        text, encoding = decode(data)
        if suffix in (".md", ".markdown"):
            text = markdown_to_text(text)
        elif suffix in (".html", ".htm"):
            text = html_to_text(text)
        pages = [text]
    if not any(p.strip() for p in pages):
        raise LoadError("no text could be extracted")
    return Extracted(pages, encoding)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a text file; LoadError for bytes that are not text."""
    for mark, codec in _BOMS:
        if data.startswith(mark):
            try:
                return _text_only(data[len(mark):].decode(codec.removesuffix("-sig"))), codec
            except UnicodeDecodeError as exc:
                raise LoadError(f"file starts with a {codec} mark but is not {codec} text "
                                f"(byte {exc.start})") from exc
    if b"\x00" in data[:8192]:
        raise LoadError("file looks binary (contains NUL bytes)")
    try:
        return _text_only(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    text, codec = _detect(data)
    return _text_only(text), codec


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError("file is not text in any encoding that could be detected")
    text = str(best)
    # On short Western text the detector often picks a Central European code page (reading
    # "crème" as "crčme"); when what it found is Latin script, the Western code pages are far
    # likelier. Bytes 0x80-0x9f are control codes in Latin-1 and punctuation in Windows-1252.
    if all(_latin(ch) for ch in text if ord(ch) > 127):
        western = "cp1252" if any(0x80 <= b <= 0x9F for b in data) else "latin-1"
        try:
            return data.decode(western), western
        except UnicodeDecodeError:
            pass
    return text, best.encoding


def _latin(ch: str) -> bool:
    return not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN")


def _text_only(text: str) -> str:
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 8192):
        raise LoadError("file looks binary (many control characters)")
    return text


def _pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
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
