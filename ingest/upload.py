"""Documents added through the admin tab: checked (type by content, size, name) and written
whole into ``sources/uploads/``, with their title, date, address and status recorded in
``manifest.toml`` as for every other document. Nothing is written outside the sources
folder, and a refused upload leaves it exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingest import manifest_edit
from ingest.loaders import SUFFIXES, extract
from ingest.sources import MANIFEST, STATUSES, discover, resolve_inside
from kb.errors import KBError, LoadError
from kb.index.weights import file_sha256
from kb.settings import Settings

UPLOAD_FOLDER = "uploads"
MAX_NAME = 80  # characters of a stored file name's stem
MAX_TITLE = 200
MAX_URL = 2000
HTML = (".html", ".htm")
# Formats people upload by mistake; each is named in the refusal.
_MAGIC = ((b"PK\x03\x04", "a ZIP archive (or Word/Excel file)"),
          (b"\xd0\xcf\x11\xe0", "an old Office document"), (b"\x7fELF", "a program"),
          (b"MZ", "a Windows program"), (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"),
          (b"\xff\xd8\xff", "a JPEG image"), (b"\x1f\x8b", "a gzip archive"),
          (b"{\\rtf", "an RTF document"))
_HTML_TAG = re.compile(rb"<\s*(!doctype\s+html|html|head|body|title|p|div|h[1-6]|table|ul)\b",
                       re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class UploadError(KBError):
    """An upload or a change to a document was refused; the sources folder is unchanged."""


@dataclass
class Metadata:
    """What the manifest records of a document, as the admin gave it."""

    title: str
    date: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    url: str = ""  # where the document is published
    status: str = "current"

    def checked(self) -> Metadata:
        title = " ".join(self.title.split())
        if not title:
            raise UploadError("give the document a title")
        if len(title) > MAX_TITLE or any(unicodedata.category(c) == "Cc" for c in title):
            raise UploadError(f"the title must be one line of at most {MAX_TITLE} characters")
        when = self.date.strip()
        if when and not _valid_date(when):
            raise UploadError(f"the date {when[:40]!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        url = self.url.strip()
        if url and (not re.match(r"^https?://[^\s/]+\S*$", url) or len(url) > MAX_URL):
            raise UploadError("the address must be a web address starting http:// or https://")
        if self.status not in STATUSES:
            raise UploadError(f"the status must be one of {', '.join(STATUSES)}")
        return Metadata(title, when, url, self.status)


@dataclass
class Stored:
    """A document written into the sources folder."""

    doc_id: str  # its path under the sources folder
    sha256: str
    size: int


def _valid_date(text: str) -> bool:
    parts = text.split("-")
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        return False
    try:
        date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
             int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def safe_name(name: str) -> str:
    """A file name fit to store: the last part of what the browser sent, letters, digits,
    dots, dashes and underscores only, a supported extension in lower case."""
    # Accents dropped rather than the letters they sit on: "émigré" keeps "emigre".
    folded = "".join(c for c in unicodedata.normalize("NFKD", name)
                     if unicodedata.category(c) != "Mn")
    base = folded.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    suffix = "." + suffix.lower()
    if not dot or suffix not in SUFFIXES:
        raise UploadError(f"only {', '.join(SUFFIXES)} documents can be uploaded")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)
    stem = re.sub(r"([._-])[._-]+", r"\1", stem).strip("._-")[:MAX_NAME].strip("._-")
    if not stem:
        raise UploadError("the file name has no letters or digits to keep; rename the file")
    if stem.upper().startswith("README") or f"{stem}{suffix}".lower() == MANIFEST:
        raise UploadError(f"{stem}{suffix} is a name ingest does not read; rename the file")
    return stem + suffix


def check_content(data: bytes, suffix: str) -> None:
    """Refuse bytes that are not the kind of document the name says, or that ingest could
    not read: the type is judged by the content, the extension must agree with it."""
    head = data[:4096].lstrip()
    is_pdf = head.startswith(b"%PDF-")
    if suffix == ".pdf" and not is_pdf:
        raise UploadError("the file is named .pdf but is not a PDF")
    if suffix != ".pdf":
        if is_pdf:
            raise UploadError(f"the file is a PDF named {suffix}; name it .pdf")
        for magic, kind in _MAGIC:
            if head.startswith(magic):
                raise UploadError(f"the file is {kind}, not a text document")
        if b"\x00" in data[:8192] and not data.startswith(_BOMS):
            raise UploadError("the file holds binary data, not text")
        looks_html = _HTML_TAG.search(data[:8192]) is not None
        if suffix in HTML and not looks_html:
            raise UploadError(f"the file is named {suffix} but holds no HTML")
        if suffix not in HTML and re.match(rb"\s*<(!doctype\s+html|html)\b", data[:512], re.I):
            raise UploadError(f"the file is an HTML page named {suffix}; name it .html")
    try:
        extract(Path("upload" + suffix), data)
    except LoadError as exc:
        raise UploadError(f"the document cannot be read: {exc}") from exc


def store_upload(settings: Settings, name: str, data: bytes, meta: Metadata) -> Stored:
    """Check an uploaded document and write it, with its manifest entry, into
    ``<sources>/uploads/``. Raises UploadError and leaves the folder as it was."""
    limit = min(settings.admin_upload_max_bytes, settings.max_file_bytes)
    if len(data) > limit:
        raise UploadError(f"the file is {len(data):,} bytes, over the limit of {limit:,} "
                          "(IPSKB_ADMIN_UPLOAD_MAX_BYTES)")
    meta = meta.checked()
    stored = safe_name(name)
    check_content(data, Path(stored).suffix)
    root = settings.sources_dir.resolve(strict=True)
    folder = _upload_folder(root)
    doc_id = f"{UPLOAD_FOLDER}/{stored}"
    target = folder / stored
    if os.path.lexists(target):
        raise UploadError(f"{doc_id} is in the sources already; remove it first or rename "
                          "the file")
    digest = hashlib.sha256(data).hexdigest()
    same = _same_content(settings, digest)
    if same:
        raise UploadError(f"the same document is in the sources already, as {same}")
    # The manifest first: should the process die before the file is in place, an entry
    # without its file is only warned about, while a file without its entry would ingest
    # with a made-up title as current.
    manifest_edit.put(root / MANIFEST, doc_id, {
        "title": meta.title, "date": meta.date, "url": meta.url, "status": meta.status})
    try:
        _write_new(folder, stored, data)
    except BaseException:
        manifest_edit.drop(root / MANIFEST, doc_id)
        raise
    return Stored(doc_id, digest, len(data))


def _upload_folder(root: Path) -> Path:
    folder = root / UPLOAD_FOLDER
    try:
        folder.mkdir(exist_ok=True)
        real = folder.resolve(strict=True)
    except OSError as exc:
        raise UploadError(f"the uploads folder cannot be made: {exc.strerror}") from exc
    if real != folder or not real.is_dir():  # a link, maybe leading out of the sources
        raise UploadError(f"{UPLOAD_FOLDER}/ in the sources folder is not a plain folder; "
                          "nothing was written")
    return folder


def _write_new(folder: Path, name: str, data: bytes) -> None:
    """Write `name` whole or not at all: a hidden temporary file (ingest skips it), synced,
    then linked to its name, which fails rather than replace a file that appeared since."""
    tmp = folder / f".{name}.{uuid.uuid4().hex[:8]}.part"
    try:
        with tmp.open("xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, folder / name)
        except FileExistsError as exc:
            raise UploadError(f"{UPLOAD_FOLDER}/{name} appeared meanwhile; nothing was "
                              "replaced") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _same_content(settings: Settings, digest: str) -> str:
    """The document already in the sources with these bytes, or ""."""
    try:
        sources, _ = discover(settings.sources_dir)
    except LoadError:
        return ""
    for source in sources:
        try:
            real = resolve_inside(settings.sources_dir, source.path)
            if real.stat().st_size > settings.max_file_bytes:
                continue
            if file_sha256(real) == digest:
                return source.doc_id
        except (LoadError, OSError):
            continue
    return ""
