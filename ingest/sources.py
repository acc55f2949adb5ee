"""Find the source files and their provenance (``manifest.toml`` beside them)."""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.loaders import SUFFIXES
from kb.errors import LoadError
from kb.settings import Settings

log = logging.getLogger(__name__)

MANIFEST = "manifest.toml"
STATUSES = ("current", "excerpt", "historical")
ALIASES = "aliases"


@dataclass
class Source:
    path: Path  # where the file is named under the sources folder (a link keeps its name)
    doc_id: str  # path relative to the sources folder
    provenance: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)  # names people call the document by
    real_path: Path | None = None  # the file it names once links are resolved


def resolve_inside(root: Path, path: Path) -> Path:
    """The real path of the regular file `path` names, if it lies inside `root`.

    Every path ingest reads goes through here (and so must any path an upload names): a
    link that leads out of the sources folder would let any readable file on the machine be
    quoted in an answer. Raises LoadError with the reason otherwise.
    """
    real_root = root.resolve()
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a dangling link or a loop of links
        raise LoadError(f"cannot be resolved ({exc.__class__.__name__})") from exc
    if not real.is_relative_to(real_root):
        raise LoadError(f"links to {real}, outside the sources folder; not read")
    try:
        mode = real.stat().st_mode
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror}") from exc
    if not stat.S_ISREG(mode):
        raise LoadError("is not a regular file; not read")
    return real


def read_source(root: Path, source: Source, settings: Settings) -> bytes:
    """The bytes of a source file, checked again as it is opened: it must still be a
    regular file inside the sources folder (it may have been swapped for a link since it
    was found) and no larger than the limit."""
    real = resolve_inside(root, source.path)
    with real.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > settings.max_file_bytes:
            raise LoadError(
                f"file is {size:,} bytes, over the limit of {settings.max_file_bytes:,} "
                "(IPSKB_MAX_FILE_BYTES)")
        # One byte past the limit: a file that grows while it is read is still bounded.
        data = fh.read(settings.max_file_bytes + 1)
    if len(data) > settings.max_file_bytes:
        raise LoadError(f"file grew past the limit of {settings.max_file_bytes:,} bytes "
                        "(IPSKB_MAX_FILE_BYTES) while it was read")
    return data


def discover(sources_dir: Path) -> tuple[list[Source], list[tuple[str, str]]]:
    """Source files under `sources_dir` and (file, reason) for files that will not ingest."""
    if not sources_dir.is_dir():
        raise LoadError(f"sources folder {sources_dir} does not exist")
    manifest = read_manifest(sources_dir / MANIFEST)
    found: list[Source] = []
    skipped: list[tuple[str, str]] = []
    by_real: dict[Path, str] = {}
    # Files before links, so that a link inside the folder yields to the file it names.
    for path in sorted(_walk(sources_dir, skipped), key=lambda p: (p.is_symlink(), p)):
        rel = path.relative_to(sources_dir).as_posix()
        if rel == MANIFEST or path.name.upper().startswith("README"):
            continue
        if path.suffix.lower() not in SUFFIXES:
            skipped.append((rel, f"unsupported file type {path.suffix or '(none)'!r}"))
            continue
        try:
            real = resolve_inside(sources_dir, path)
        except LoadError as exc:
            skipped.append((rel, str(exc)))
            continue
        if real in by_real:
            skipped.append((rel, f"links to {by_real[real]}, which is read once"))
            continue
        by_real[real] = rel
        provenance, aliases = manifest.get(rel, ({}, []))
        found.append(Source(path, rel, provenance, aliases, real))
    found.sort(key=lambda s: s.doc_id)
    for rel in sorted(set(manifest) - {s.doc_id for s in found}):
        log.warning("manifest.toml lists %s, which is not in %s", rel, sources_dir)
    return found, skipped


def _walk(root: Path, skipped: list[tuple[str, str]]) -> Iterator[Path]:
    """Every non-hidden entry below `root` that is not a folder. A loop, not recursion, so
    that thousands of nested folders cannot overflow the stack; links to folders are not
    followed (the files they lead to are either inside, and read there, or outside)."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            skipped.append((Path(folder).relative_to(root).as_posix(),
                            f"folder cannot be read: {exc.strerror}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(path)
            elif entry.is_symlink() and path.is_dir():
                skipped.append((path.relative_to(root).as_posix(), _folder_link(root, path)))
            else:
                yield path


def _folder_link(root: Path, path: Path) -> str:
    real = path.resolve()
    if real.is_relative_to(root.resolve()):
        return "is a link to a folder inside the sources folder; its files are read there"
    return f"links to {real}, outside the sources folder; not followed"


def read_manifest(path: Path) -> dict[str, tuple[dict[str, str], list[str]]]:
    """(provenance, aliases) by file, from the optional manifest; a broken manifest is an
    error."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LoadError(f"{path} is not valid TOML: {exc}") from exc
    out: dict[str, tuple[dict[str, str], list[str]]] = {}
    for entry in data.get("document", []):
        if not isinstance(entry, dict) or "file" not in entry:
            raise LoadError(f"{path}: every [[document]] needs a 'file' key")
        status = str(entry.get("status", "current"))
        if status not in STATUSES:
            raise LoadError(
                f"{path}: {entry['file']} has status {status!r}; use one of {', '.join(STATUSES)}"
            )
        aliases = entry.get(ALIASES, [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise LoadError(f"{path}: {entry['file']} has {ALIASES} that is not a list of strings")
        out[str(entry["file"])] = (
            {k: str(v) for k, v in entry.items() if k not in ("file", ALIASES)}, aliases)
    return out


def title_from(text: str, path: Path) -> str:
    """A title for a document the manifest does not describe: its first short line."""
    for line in text.split("\n"):
        line = line.strip()
        if 3 <= len(line) <= 120:
            return line
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
