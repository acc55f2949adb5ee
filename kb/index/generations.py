"""Where an index lives on disk, and how a new one replaces the old without a gap.

Layout under the data directory::

    CURRENT          name of the live generation (replaced atomically)
    PREVIOUS         name of the generation it replaced, kept so that a reader who opened
                     it just before the switch can finish its question
    gen-<stamp>/     one complete index: chroma/, bm25/, documents.json, glossary.json,
                     index.json
    tmp-<stamp>/     a generation being built; never read, removed by the next ingest
    ingest.lock      held by the one ingest allowed to write at a time; readers never take it
    */LEASE          locked (shared) by every reader of the generation and by the writer of a
                     workspace: an ingest removes only folders whose lease nobody holds

A crash while building leaves only a tmp- folder behind; CURRENT still names the previous,
whole generation.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kb.errors import IndexMismatchError, IndexMissingError, IngestLockedError
from kb.index import leases
from kb.models import Document, GlossaryEntry
from kb.settings import Settings

log = logging.getLogger(__name__)

POINTER = "CURRENT"
PREVIOUS = "PREVIOUS"
LOCK = "ingest.lock"
DOCUMENTS = "documents.json"
GLOSSARY = "glossary.json"
META = "index.json"


def current_generation(data_dir: Path) -> Path | None:
    """The live generation folder, or None when nothing has been ingested."""
    pointer = data_dir / POINTER
    if not pointer.is_file():
        return None
    folder = data_dir / pointer.read_text(encoding="utf-8").strip()
    return folder if (folder / META).is_file() else None


def require_generation(settings: Settings) -> Path:
    """The live generation, checked against the settings' fingerprint."""
    folder = current_generation(settings.data_dir)
    if folder is None:
        raise IndexMissingError(
            f"no index in {settings.data_dir}; run `ipskb ingest` first"
        )
    stored = read_meta(folder).get("fingerprint")
    if stored != settings.fingerprint():
        raise IndexMismatchError(
            f"the index in {settings.data_dir} was built with other settings "
            f"({mismatch(stored, settings.fingerprint())}); run `ipskb ingest --rebuild`"
        )
    return folder


def mismatch(old: Any, new: dict[str, object]) -> str:
    """Which settings of the fingerprint `new` differ from the stored one, `old`."""
    if not isinstance(old, dict):
        return "unknown settings"
    keys = [k for k in new if old.get(k) != new[k]]
    return ", ".join(f"{k}: {old.get(k)!r} -> {new[k]!r}" for k in keys) or "unknown"


def live_generation(settings: Settings, server: Any = None) -> Path | None:
    """The live generation: its folder, or in a Chroma server (IPSKB_CHROMA_URL; `server`
    a kb.index.shared.Server connected to it) its name; None before the first ingest."""
    if not settings.chroma_url:
        return current_generation(settings.data_dir)
    from kb.index import shared

    name = shared.current(server)
    return None if name is None else Path(name)


def read_meta(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / META).read_text(encoding="utf-8")))


def read_documents(folder: Path) -> dict[str, Document]:
    raw = json.loads((folder / DOCUMENTS).read_text(encoding="utf-8"))
    return {d["doc_id"]: Document.from_dict(d) for d in raw}


def read_glossary(folder: Path) -> list[GlossaryEntry]:
    """The acronyms the generation's documents define; [] for a generation built without."""
    path = folder / GLOSSARY
    if not path.is_file():
        return []
    return [GlossaryEntry(**e) for e in json.loads(path.read_text(encoding="utf-8"))]


@contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """Hold the data directory's writer lock: one ingest at a time. Waits up to
    `settings.ingest_lock_timeout` seconds, then raises IngestLockedError. The lock is an
    OS file lock, so a writer that is killed releases it with its process."""
    from filelock import FileLock, Timeout

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(settings.data_dir / LOCK, timeout=settings.ingest_lock_timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        timeout = settings.ingest_lock_timeout
        waited = f" (waited {timeout:g} s)" if timeout else ""
        raise IngestLockedError(
            f"another ingest is running on {settings.data_dir}{waited}; try again when it "
            "has finished, or set IPSKB_INGEST_LOCK_TIMEOUT to wait for it"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def new_workspace(data_dir: Path) -> tuple[Path, leases.Lease]:
    """A fresh folder to build a generation in, with the writer's lease on it: no other
    ingest removes it while the writer lives (the lock aside, which already forbids it)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    folder = data_dir / f"tmp-{_stamp()}"
    folder.mkdir()
    lease = leases.take(folder, require_meta=False)
    assert lease is not None  # nobody else knows the folder yet
    return folder, lease


def write_json(path: Path, data: Any) -> None:
    """Write JSON so that a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def publish(data_dir: Path, workspace: Path) -> Path:
    """Make a finished workspace the live generation and drop the generations before it that
    no reader holds. Workspaces are left alone: only the next ingest, under the writer lock,
    may judge one abandoned."""
    before = current_generation(data_dir)
    final = data_dir / f"gen-{_stamp()}"
    os.replace(workspace, final)
    point_to(data_dir, final)
    write_json(data_dir / PREVIOUS, before.name if before else "")
    prune(data_dir, keep=final, workspaces=False)
    return final


def kept(data_dir: Path) -> list[Path]:
    """The generations an ingest must not remove: the live one and the one before it."""
    live = current_generation(data_dir)
    path = data_dir / PREVIOUS
    name = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else ""
    return [g for g in (live, data_dir / name if name else None) if g is not None]


def point_to(data_dir: Path, generation: Path) -> None:
    """Make `generation` the live one: readers see the old pointer or the new, never none.
    Until it returns, the generation is not live and the next ingest removes it."""
    pointer_tmp = data_dir / (POINTER + ".part")
    pointer_tmp.write_text(generation.name, encoding="utf-8")
    os.replace(pointer_tmp, data_dir / POINTER)
    _fsync_dir(data_dir)


def prune(data_dir: Path, keep: Path | None, workspaces: bool = True) -> list[str]:
    """Remove superseded generations (and, with `workspaces`, unfinished workspaces) but
    `keep`, the live one, the one before it and any a reader or writer holds a lease on;
    return the names removed. Only a writer holding the lock may call it."""
    spare = {keep, *kept(data_dir)}
    prefixes = ("tmp-", "gen-") if workspaces else ("gen-",)
    removed: list[str] = []
    held: list[str] = []
    for folder in sorted(data_dir.glob("*-*")):
        if folder.is_dir() and folder not in spare and folder.name.startswith(prefixes):
            (removed if leases.remove_if_free(folder) else held).append(folder.name)
    if held:
        log.info("kept %s: still read; the next ingest removes them", ", ".join(held))
    return removed


def _stamp() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
