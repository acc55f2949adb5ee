"""A hostile corpus, built from nothing in a folder: links out of it, text in other encodings,
huge, long-lined, deeply nested, countless, compressed, nested-markup and page-heavy files,
empty and binary ones. Every file comes with what ingest should do with it.

Used by ``evals.hostile`` (the full corpus) and by the test suite (a small one).
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# The planted document every check asks about; rounds that change it swap PLACE.
QUESTION = "Which office manages the Quay program?"
ANSWER = "Office of Quay Assessments"
SECRET = "root:x:0:0:root:/root:/bin/bash hostile-secret-marker"


def quay_text(place: str = "Halifax") -> str:
    return (f"Quay Program Guide\n\nThe Quay program is managed by the {ANSWER} (OQA-7).\n\n"
            f"The Quay office is in {place}.\n")


@dataclass(frozen=True)
class Scale:
    """How big the hostile files are: `FULL` for the report, `SMALL` for the test suite."""

    huge_bytes: int  # a text file over the byte limit
    line_bytes: int  # a text file of one line
    depth: int  # folders nested inside each other
    tiny_files: int
    html_tags: int  # nested elements in one page
    pdf_pages: int  # empty pages in one PDF
    bomb_bytes: int  # what the zip renamed .txt expands to
    max_file_bytes: int  # the limit to ingest with: below `huge_bytes`


FULL = Scale(50 * 1024**2, 1024**2, 400, 10_000, 100_000, 2000, 1024**3, 20 * 1024**2)
SMALL = Scale(2 * 1024**2, 30_000, 60, 40, 5000, 50, 10 * 1024**2, 1024**2)


@dataclass(frozen=True)
class Planted:
    """One entry of the corpus and what ingest should do with it: read it, or refuse it
    with a reason containing `reason`."""

    name: str  # path under the corpus folder
    kind: str
    reason: str = ""  # "" when the file should be read

    @property
    def read(self) -> bool:
        return not self.reason


def build(root: Path, scale: Scale) -> list[Planted]:
    """Write the corpus into `root / "sources"` (with a file outside it, in `root / "beside"`)
    and return what was planted."""
    src, beside = root / "sources", root / "beside"
    for folder in (src / "hostile", beside):
        folder.mkdir(parents=True, exist_ok=True)
    (src / "quay.txt").write_text(quay_text(), encoding="utf-8")
    planted = [Planted("quay.txt", "planted document")]
    for make in (_links, _encodings, _limits, _shapes, _junk):
        planted += make(src, beside, scale)
    planted += _tiny(src, scale)
    return planted


def _links(src: Path, beside: Path, scale: Scale) -> list[Planted]:
    h = src / "hostile"
    (beside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (h / "passwd-link.txt").symlink_to("/etc/passwd")
    (h / "beside-link.txt").symlink_to(beside / "secret.txt")
    (h / "beside-dir").symlink_to(beside, target_is_directory=True)
    (h / "quay-link.txt").symlink_to("../quay.txt")
    (h / "dangling.txt").symlink_to(beside / "gone.txt")
    (h / "loop-a.txt").symlink_to("loop-b.txt")
    (h / "loop-b.txt").symlink_to("loop-a.txt")
    outside = "outside the sources folder"
    return [
        Planted("hostile/passwd-link.txt", "link to /etc/passwd", outside),
        Planted("hostile/beside-link.txt", "link to a file beside sources/", outside),
        Planted("hostile/beside-dir", "link to a folder beside sources/", outside),
        Planted("hostile/quay-link.txt", "link to a file inside", "read once"),
        Planted("hostile/dangling.txt", "dangling link", "cannot be resolved"),
        Planted("hostile/loop-a.txt", "loop of links", "cannot be resolved"),
        Planted("hostile/loop-b.txt", "loop of links", "cannot be resolved"),
    ]


def _encodings(src: Path, beside: Path, scale: Scale) -> list[Planted]:
    h = src / "hostile"
    texts = {
        "utf16.txt": ("utf-16", "Export Notes\n\nThe Tromsø berth opens at dawn.\n"),
        "utf16be.txt": ("utf-16-be", "\ufeffBig Endian\n\nThe Ålesund quay closes at dusk.\n"),
        "utf32.txt": ("utf-32", "Wide Notes\n\nThe Bodø pilots answer on channel nine.\n"),
        "latin1.txt": ("latin-1", "Vieux Mémo\n\nLe dépôt de Brest garde les bouées.\n"),
        "cp1252.html": ("cp1252", "<h1>Office “Notice”</h1><p>The café – open daily.</p>"),
    }
    for name, (codec, text) in texts.items():
        (h / name).write_bytes(text.encode(codec))
    return [Planted(f"hostile/{name}", f"{codec} text") for name, (codec, _) in texts.items()]


def _words(n_bytes: int, seed: int, sentence_words: int = 12) -> str:
    """About `n_bytes` of English-looking prose on one line."""
    rng = random.Random(seed)
    vocab = ["quay", "berth", "pilot", "vessel", "harbor", "office", "screening", "drill",
             "security", "tide", "buoy", "anchor", "cargo", "crew", "port", "liaison"]
    out, size, count = [], 0, 0
    while size < n_bytes:
        word = rng.choice(vocab)
        count += 1
        if count % sentence_words == 0:
            word += "."
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def _limits(src: Path, beside: Path, scale: Scale) -> list[Planted]:
    h = src / "hostile"
    chunk = ("The huge file goes on about berths and tides. " * 1000 + "\n").encode()
    with (h / "huge.txt").open("wb") as fh:
        for _ in range(scale.huge_bytes // len(chunk) + 1):
            fh.write(chunk)
    (h / "one-line.txt").write_text(_words(scale.line_bytes, 1), encoding="utf-8")
    return [
        Planted("hostile/huge.txt", f"{scale.huge_bytes // 1024**2} MB text",
                "IPSKB_MAX_FILE_BYTES"),
        Planted("hostile/one-line.txt", f"{scale.line_bytes // 1024} KB on one line"),
    ]


def _shapes(src: Path, beside: Path, scale: Scale) -> list[Planted]:
    h = src / "hostile"
    deep = h.joinpath(*["d"] * scale.depth)
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text("Deep Note\n\nThe deepest berth is number forty.\n")
    tags = scale.html_tags
    (h / "nested.html").write_text(
        "<html><body>" + "<div><span>" * (tags // 2) + "Nested text about buoys."
        + "</span></div>" * (tags // 2) + "</body></html>", encoding="utf-8")
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(scale.pdf_pages):
        writer.add_blank_page(612, 792)
    with (h / "empty-pages.pdf").open("wb") as fh:
        writer.write(fh)
    rel = "hostile/" + "/".join(["d"] * scale.depth) + "/deep.txt"
    return [
        Planted(rel, f"{scale.depth} nested folders"),
        Planted("hostile/nested.html", f"{tags:,} nested tags"),
        Planted("hostile/empty-pages.pdf", f"PDF of {scale.pdf_pages:,} empty pages",
                "no text could be extracted"),
    ]


def _junk(src: Path, beside: Path, scale: Scale) -> list[Planted]:
    h = src / "hostile"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("bomb", "w") as fh:
        block = bytes(1024**2)
        for _ in range(scale.bomb_bytes // len(block)):
            fh.write(block)
    writers: dict[str, Callable[[Path], object]] = {
        "zip-bomb.txt": lambda p: p.write_bytes(buffer.getvalue()),
        "empty.txt": lambda p: p.write_bytes(b""),
        "blank.md": lambda p: p.write_bytes(b" \n\n\t\n"),
        "random.txt": lambda p: p.write_bytes(random.Random(2).randbytes(64 * 1024)),
        "image.txt": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4096)),
        "fake.pdf": lambda p: p.write_bytes(b"%PDF-1.4 not really a pdf"),
        "pipe.txt": lambda p: os.mkfifo(p),
        "table.csv": lambda p: p.write_text("a,b\n1,2\n"),
        "name with spaces, é 港\nnewline.txt": lambda p: p.write_text("Odd Name\n\nA berth.\n"),
    }
    for name, write in writers.items():
        write(h / name)
    refusals = {
        "zip-bomb.txt": "binary", "empty.txt": "empty", "blank.md": "empty",
        "random.txt": "binary", "image.txt": "binary", "fake.pdf": "PDF",
        "pipe.txt": "not a regular file", "table.csv": "unsupported file type",
    }
    return [Planted(f"hostile/{name}", name.rsplit(".", 1)[-1] + " junk", refusals.get(name, ""))
            for name in writers]


def _tiny(src: Path, scale: Scale) -> list[Planted]:
    tiny = src / "tiny"
    tiny.mkdir()
    out = []
    for n in range(scale.tiny_files):
        name = f"note-{n:05d}.txt"
        (tiny / name).write_text(f"Note {n}\n\nBerth {n} is kept for vessel {n * 7}.\n")
        out.append(Planted(f"tiny/{name}", "tiny file"))
    return out
