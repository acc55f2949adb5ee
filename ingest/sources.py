"""Find the source files and their provenance (``manifest.toml`` beside them)."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ingest.loaders import SUFFIXES
from kb.errors import LoadError

log = logging.getLogger(__name__)

MANIFEST = "manifest.toml"
STATUSES = ("current", "excerpt", "historical")
ALIASES = "aliases"


@dataclass
class Source:
    path: Path
    doc_id: str  # path relative to the sources folder
    provenance: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)  # names people call the document by


def discover(sources_dir: Path) -> tuple[list[Source], list[tuple[str, str]]]:
    """Source files under `sources_dir` and (file, reason) for files that will not ingest."""
    if not sources_dir.is_dir():
        raise LoadError(f"sources folder {sources_dir} does not exist")
    manifest = read_manifest(sources_dir / MANIFEST)
    found, skipped = [], []
    for path in sorted(p for p in sources_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(sources_dir).as_posix()
        if rel == MANIFEST or path.name.upper().startswith("README") or any(
            part.startswith(".") for part in path.relative_to(sources_dir).parts
        ):
            continue
        if path.suffix.lower() not in SUFFIXES:
            skipped.append((rel, f"unsupported file type {path.suffix or '(none)'!r}"))
            continue
        provenance, aliases = manifest.get(rel, ({}, []))
        found.append(Source(path, rel, provenance, aliases))
    for rel in sorted(set(manifest) - {s.doc_id for s in found}):
        log.warning("manifest.toml lists %s, which is not in %s", rel, sources_dir)
    return found, skipped


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
