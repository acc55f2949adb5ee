"""Changes to the sources folder's ``manifest.toml`` and its documents, made by the admin
tab: an entry added or replaced, a status changed, a document removed.

The manifest is edited with tomlkit, so its comments and layout survive, and it is replaced
whole (a temporary file, synced, renamed): a reader sees the old manifest or the new one.
Every change is checked by reading the result back as ingest does before it is kept.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from ingest.loaders import SUFFIXES
from ingest.sources import MANIFEST, read_manifest, resolve_inside
from kb.errors import KBError, LoadError

REMOVED = "removed"  # under the data dir: where removed documents are kept


class EditError(KBError):
    """A change to the sources was refused; nothing was changed."""


def put(path: Path, doc_id: str, fields: dict[str, str]) -> None:
    """Add the entry for `doc_id`, or replace the one there. Empty fields are left out."""
    def change(doc: Any) -> None:
        entries = _entries(doc)
        index = _find(entries, doc_id)
        if index is not None:  # an upload that died before its file was written
            del entries[index]
        _append(entries, doc_id, fields)

    _edit(path, change)


def set_status(path: Path, doc_id: str, status: str, title: str) -> None:
    """Give `doc_id` the status; a document the manifest did not list gets an entry with
    the title ingest gave it, so that marking it changes nothing else."""

    def change(doc: Any) -> None:
        entries = _entries(doc)
        index = _find(entries, doc_id)
        if index is None:
            _append(entries, doc_id, {"title": title, "status": status})
        else:
            entries[index]["status"] = status

    _edit(path, change)


def drop(path: Path, doc_id: str) -> None:
    """Remove the entry for `doc_id`, if there is one."""

    def change(doc: Any) -> None:
        entries = _entries(doc)
        index = _find(entries, doc_id)
        if index is not None:
            del entries[index]

    if path.is_file():
        _edit(path, change)


def document_path(sources_dir: Path, doc_id: str) -> Path:
    """The file `doc_id` names under the sources folder: a relative path to a document
    ingest reads, inside the folder. Anything else is refused as not there."""
    parts = doc_id.split("/")
    refused = EditError(f"there is no document {doc_id[:80]!r} in the sources folder")
    if (not doc_id or "\x00" in doc_id or "\\" in doc_id or doc_id == MANIFEST
            or any(p in ("", ".", "..") or p.startswith(".") for p in parts)
            or Path(doc_id).suffix.lower() not in SUFFIXES):
        raise refused
    path = sources_dir / doc_id
    try:
        resolve_inside(sources_dir, path)
    except LoadError as exc:
        raise refused from exc
    return path


def remove_document(sources_dir: Path, doc_id: str, data_dir: Path) -> Path:
    """Take `doc_id` out of the sources: the file is moved to ``<data_dir>/removed/`` (a
    removal can be undone by moving it back) and its manifest entry dropped. Returns where
    the file is now."""
    path = document_path(sources_dir, doc_id)
    keep = data_dir / REMOVED
    keep.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = keep / f"{stamp}-{uuid.uuid4().hex[:6]}-{doc_id.replace('/', '__')}"
    # The file first: should the process die between the two, the entry left behind names
    # no file, which ingest only warns about.
    shutil.move(path, target)
    _keep_entry(sources_dir / MANIFEST, doc_id, target.with_name(target.name + ".toml"))
    drop(sources_dir / MANIFEST, doc_id)
    return target


def _keep_entry(manifest: Path, doc_id: str, where: Path) -> None:
    """Write the manifest entry of a removed document beside it, ready to paste back."""
    import tomlkit

    provenance, aliases = read_manifest(manifest).get(doc_id, ({}, []))
    if not provenance and not aliases:
        return
    doc = tomlkit.document()
    entries = _entries(doc)
    _append(entries, doc_id, provenance)
    if aliases:
        entries[-1]["aliases"] = aliases
    where.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _edit(path: Path, change: Any) -> None:
    import tomlkit

    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        doc = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise EditError(f"{path.name} cannot be read ({exc}); fix it first") from exc
    change(doc)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with tmp.open("x", encoding="utf-8") as fh:
            fh.write(tomlkit.dumps(doc))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            read_manifest(tmp)  # what ingest will make of it
        except LoadError as exc:
            raise EditError(f"the change would break {path.name}: {exc}") from exc
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _entries(doc: Any) -> Any:
    import tomlkit

    if "document" not in doc:
        doc.append("document", tomlkit.aot())
    return doc["document"]


def _find(entries: Any, doc_id: str) -> int | None:
    for index, entry in enumerate(entries):
        if str(entry.get("file", "")) == doc_id:
            return index
    return None


def _append(entries: Any, doc_id: str, fields: dict[str, str]) -> None:
    import tomlkit

    table = tomlkit.table()
    table.add("file", doc_id)
    for key, value in fields.items():
        if value:
            table.add(key, value)
    if len(entries):
        entries[-1].add(tomlkit.nl())
    entries.append(table)
