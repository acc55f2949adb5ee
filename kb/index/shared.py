"""The index kept in a Chroma server (IPSKB_CHROMA_URL): app processes on several machines
answer from one index, and generations stay atomic there as they are on disk.

What the server holds, every name starting with the prefix P (IPSKB_CHROMA_PREFIX)::

    P.control               records CURRENT and PREVIOUS (metadata: the generation's name),
                            and one reader-<id> record per open reader (its lease)
    P.<gen>.chunks          the generation's vector collections, as in an on-disk generation
    P.<gen>.sentences
    P.<gen>.questions
    P.<gen>.files           the generation's other files (index.json, documents.json,
                            glossary.json, bm25/...), base64 in parts of one record each
    P.writer                exists while an ingest writes: creating a collection that exists
                            fails, so only one writer at a time gets it

A generation's collections and files are all written before CURRENT names it, and CURRENT
and PREVIOUS move in one write, so a reader sees the old generation or the new one, whole.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kb.errors import IndexMismatchError, IndexMissingError, IndexServerError
from kb.runtime import configure_runtime
from kb.settings import Settings

log = logging.getLogger(__name__)

CONTROL = "control"
WRITER = "writer"
FILES = "files"
CURRENT = "CURRENT"
PREVIOUS = "PREVIOUS"
META = "index.json"
READER = "reader-"
# Records of the control and files collections carry no meaning in their vector.
_UNIT = [1.0]
PART_CHARS = 1 << 20  # base64 characters per record of a file


def unreachable(url: str, exc: BaseException | None = None) -> IndexServerError:
    """The error for a server that does not answer, saying what to do about it."""
    why = f" ({type(exc).__name__})" if exc is not None else ""
    return IndexServerError(
        f"cannot reach the Chroma server at {url}{why}; start it (`chroma run --path DIR "
        "--port N`), check IPSKB_CHROMA_URL, or unset IPSKB_CHROMA_URL to use the index on "
        "this machine")


def is_connection_error(exc: BaseException) -> bool:
    """Whether `exc` says the server could not be reached (not that a request was wrong)."""
    import httpx

    return isinstance(exc, httpx.TransportError | ConnectionError) or (
        isinstance(exc, ValueError) and "Could not connect" in str(exc))


def is_gone(exc: BaseException) -> bool:
    """Whether `exc` says a collection read is not in the server (removed by an ingest)."""
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError)


@dataclass
class Server:
    """A connection to the Chroma server and the names the index uses in it."""

    client: Any
    prefix: str
    url: str
    _control: Any = None

    def name(self, *parts: str) -> str:
        return ".".join((self.prefix, *parts))

    def collection(self, *parts: str) -> Any:
        return self.client.get_or_create_collection(
            self.name(*parts), configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None)

    def existing(self, *parts: str) -> Any | None:
        """The collection if the server has it (a reader must not create what it reads)."""
        from chromadb.errors import NotFoundError

        try:
            return self.client.get_collection(self.name(*parts), embedding_function=None)
        except NotFoundError:
            return None

    def control(self) -> Any:
        """The pointer's collection; never removed, so its handle is kept (one request
        fewer for every look at the pointer)."""
        if self._control is None:
            self._control = self.collection(CONTROL)
        return self._control

    def close(self) -> None:
        self.client.close()


def connect(settings: Settings) -> Server:
    """Connect to the server of `settings.chroma_url`; raises IndexServerError when it
    does not answer."""
    configure_runtime()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    url = settings.chroma_url or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IndexServerError(
            f"IPSKB_CHROMA_URL must be http://host:port or https://host:port, not {url!r}")
    ssl = parts.scheme == "https"
    try:
        client = chromadb.HttpClient(
            host=parts.hostname, port=parts.port or (443 if ssl else 80), ssl=ssl,
            settings=ChromaSettings(anonymized_telemetry=False))
    except Exception as exc:
        if is_connection_error(exc):
            raise unreachable(url, exc) from exc
        raise
    return Server(client, settings.chroma_prefix, url)


# -- the pointer ----------------------------------------------------------------------------
def pointer(server: Server) -> tuple[str | None, str | None]:
    """The names CURRENT and PREVIOUS give (None where unset)."""
    got = server.control().get(ids=[CURRENT, PREVIOUS], include=["metadatas"])
    names = {i: str(m.get("generation") or "") or None
             for i, m in zip(got["ids"], got["metadatas"], strict=True)}
    return names.get(CURRENT), names.get(PREVIOUS)


def current(server: Server) -> str | None:
    """The live generation's name, or None when nothing has been published."""
    return pointer(server)[0]


def point_to(server: Server, name: str, before: str | None) -> None:
    """Make `name` live and `before` the previous one, in one write."""
    server.control().upsert(ids=[CURRENT, PREVIOUS], embeddings=[_UNIT, _UNIT],
                            metadatas=[{"generation": name}, {"generation": before or ""}])


def require_generation(settings: Settings) -> str:
    """The live generation's name, checked against the settings' fingerprint; raises
    IndexMissingError, IndexMismatchError or IndexServerError."""
    from kb.index.generations import mismatch

    server = connect(settings)
    try:
        name = current(server)
        raw = None if name is None else read_file(server, name, META)
    finally:
        server.close()
    if name is None or raw is None:
        raise IndexMissingError(
            f"no index in the Chroma server at {server.url} (prefix {server.prefix!r}); run "
            "`ipskb ingest` with IPSKB_CHROMA_URL set first")
    stored = json.loads(raw).get("fingerprint")
    if stored != settings.fingerprint():
        raise IndexMismatchError(
            f"the index in {server.url} was built with other settings "
            f"({mismatch(stored, settings.fingerprint())}); run `ipskb ingest --rebuild`")
    return name


# -- a generation's files -------------------------------------------------------------------
def upload(server: Server, name: str, folder: Path) -> None:
    """Store every file under `folder` as the generation's files, index.json last: a
    generation whose index.json is stored has all its files."""
    files = sorted((p for p in folder.rglob("*") if p.is_file()),
                   key=lambda p: (p.name == META, str(p)))
    target = server.collection(name, FILES)
    for path in files:
        rel = path.relative_to(folder).as_posix()
        text = base64.b64encode(path.read_bytes()).decode("ascii")
        parts = [text[i : i + PART_CHARS] for i in range(0, len(text), PART_CHARS)] or [""]
        target.add(ids=[f"{rel}#{n}" for n in range(len(parts))], documents=parts,
                   embeddings=[_UNIT] * len(parts),
                   metadatas=[{"path": rel, "part": n, "parts": len(parts)}
                              for n in range(len(parts))])


def read_file(server: Server, name: str, rel: str) -> bytes | None:
    """One file of a generation, or None when the generation does not hold it."""
    files = server.existing(name, FILES)
    return None if files is None else _join(_records(files, where={"path": rel})).get(rel)


def download(server: Server, name: str, dest: Path) -> None:
    """Write the generation's files into `dest`; raises IndexServerError when they are not
    all there (the generation was removed meanwhile)."""
    found = server.existing(name, FILES)
    files = {} if found is None else _join(_records(found))
    if META not in files:
        raise IndexServerError(f"index generation {name} is gone from {server.url}")
    for rel, data in files.items():
        path = dest / rel
        if dest.resolve() not in path.resolve().parents:
            raise IndexServerError(f"index generation {name} holds a bad file name {rel!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def complete(server: Server, name: str) -> bool:
    """Whether the generation is all there: its index.json, stored last, is."""
    files = server.existing(name, FILES)
    return files is not None and bool(files.get(ids=[f"{META}#0"], include=[])["ids"])


def _records(collection: Any, where: dict[str, Any] | None = None) -> Iterator[
        tuple[str, dict[str, Any]]]:
    batch = 100
    offset = 0
    while True:
        got = collection.get(where=where, include=["documents", "metadatas"], limit=batch,
                             offset=offset)
        yield from zip(got["documents"], got["metadatas"], strict=True)
        if len(got["ids"]) < batch:
            return
        offset += batch


def _join(records: Iterator[tuple[str, dict[str, Any]]]) -> dict[str, bytes]:
    """Whole files from their parts; a file missing a part is left out."""
    parts: dict[str, dict[int, str]] = {}
    counts: dict[str, int] = {}
    for text, meta in records:
        rel = str(meta["path"])
        parts.setdefault(rel, {})[int(meta["part"])] = text
        counts[rel] = int(meta["parts"])
    return {rel: base64.b64decode("".join(got[n] for n in range(counts[rel])))
            for rel, got in parts.items() if len(got) == counts[rel]}


# -- removing generations -------------------------------------------------------------------
def generations(server: Server) -> dict[str, list[str]]:
    """Every generation the server holds collections of: name -> collection names."""
    out: dict[str, list[str]] = {}
    start = server.prefix + "."
    offset = 0
    while True:
        page = server.client.list_collections(limit=100, offset=offset)
        for collection in page:
            rest = collection.name.removeprefix(start)
            if rest != collection.name and rest.count(".") == 1:
                out.setdefault(rest.split(".")[0], []).append(collection.name)
        if len(page) < 100:
            return out
        offset += 100


def remove(server: Server, name: str, collections: list[str]) -> None:
    """Delete a generation, its files first: a reader that opens it afterwards finds it
    incomplete and reads the pointer again, rather than half of it."""
    for collection in sorted(collections, key=lambda c: not c.endswith("." + FILES)):
        try:
            server.client.delete_collection(collection)
        except Exception as exc:  # removed by another writer meanwhile
            log.info("could not remove %s: %s", collection, exc)
    log.info("removed index generation %s from %s", name, server.url)


def stamp() -> str:
    import uuid

    return f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
