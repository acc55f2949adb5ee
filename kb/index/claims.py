"""Who holds what in a Chroma server shared by several machines: readers' leases on the
generations they read, and the one writer's lock.

A process that dies cannot remove its records, and no lock of the operating system reaches
another machine, so every claim is renewed by a thread of its holder and a claim not renewed
for LEASE_S seconds is a dead holder's. Times are compared across machines: their clocks must
agree to well within LEASE_S (NTP does).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kb.errors import IndexServerError, IngestLockedError
from kb.index import shared
from kb.index.shared import Server

log = logging.getLogger(__name__)

LEASE_S = 300.0
RENEW_S = 60.0
_POLL_S = 0.5
_ATTEMPTS = 10  # refusals to create the lock, with no lock there, before giving up


class _Renewer:
    """Calls `renew` every `period` seconds in a daemon thread until stopped."""

    def __init__(self, renew: Callable[[], None], period: float, name: str) -> None:
        self._stop = threading.Event()
        self._renew = renew
        self._period = period
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            try:
                self._renew()
            except Exception as exc:  # the server is down for a while: try again later
                log.warning("could not renew a claim in the Chroma server: %s", exc)

    def stop(self) -> None:
        self._stop.set()


def _holder(generation: str = "") -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "renewed": time.time(),
            "generation": generation, "kind": "reader"}


class ServerLease:
    """A reader's lease on one generation in the server; `release()` lets an ingest
    remove the generation, and closes the lease's connection."""

    def __init__(self, server: Server, generation: str) -> None:
        self.generation = generation
        self._server = server
        self._id = f"{shared.READER}{uuid.uuid4().hex}"
        self._write()
        self._renewer: _Renewer | None = _Renewer(self._write, RENEW_S, "ipskb-lease")

    def _write(self) -> None:
        self._server.control().upsert(ids=[self._id], embeddings=[[1.0]],
                                      metadatas=[_holder(self.generation)])

    def release(self) -> None:
        """Let go of the generation (idempotent)."""
        if self._renewer is None:
            return
        self._renewer.stop()
        self._renewer = None
        try:
            self._server.control().delete(ids=[self._id])
        except Exception as exc:  # it expires by itself
            log.info("could not remove the lease on %s: %s", self.generation, exc)
        self._server.close()

    @property
    def held(self) -> bool:
        return self._renewer is not None


def take(server: Server, generation: str) -> ServerLease | None:
    """A lease on `generation`, or None when it is gone or incomplete (the caller then reads
    the pointer again). Taken first and checked after: a writer that removes the generation
    after the check sees the lease."""
    lease = ServerLease(server, generation)
    if shared.complete(server, generation):
        return lease
    lease.release()
    return None


def readers(server: Server) -> set[str]:
    """The generations held by a live reader's lease; dead readers' leases are dropped."""
    got = server.control().get(where={"kind": "reader"}, include=["metadatas"])
    held: set[str] = set()
    dead: list[str] = []
    now = time.time()
    for rid, meta in zip(got["ids"], got["metadatas"], strict=True):
        if now - float(meta.get("renewed", 0)) > LEASE_S:
            dead.append(rid)
        else:
            held.add(str(meta.get("generation", "")))
    if dead:
        server.control().delete(ids=dead)
    return held


def prune(server: Server, keep: set[str]) -> list[str]:
    """Remove every generation but `keep`, the live one, the one before it and those a live
    reader holds; return the names removed. Only the writer holding the lock may call it."""
    live, previous = shared.pointer(server)
    spare = keep | {live or "", previous or ""} | readers(server)
    removed = []
    held = []
    for name, collections in sorted(shared.generations(server).items()):
        if name in spare:
            if name not in keep and name not in (live, previous):
                held.append(name)
            continue
        shared.remove(server, name, collections)
        removed.append(name)
    if held:
        log.info("kept %s: still read; the next ingest removes them", ", ".join(held))
    return removed


@contextmanager
def writer_lock(server: Server, timeout: float) -> Iterator[None]:
    """Hold the server's writer lock: one ingest at a time over every machine. Waits up to
    `timeout` seconds for another writer, then raises IngestLockedError; the lock of a
    writer that stopped renewing it LEASE_S ago is taken over."""
    name = server.name(shared.WRITER)
    since = time.time()
    lock = _acquire(server, name, since, timeout)
    renewer = _Renewer(lambda: lock.modify(metadata=_writer(since)), RENEW_S, "ipskb-writer")
    try:
        yield
    finally:
        renewer.stop()
        try:
            found = server.existing(shared.WRITER)
            if found is not None and found.id == lock.id:  # not another writer's since
                server.client.delete_collection(name)
        except Exception as exc:  # the server is down: the lock expires
            log.warning("could not release the writer lock in %s: %s", server.url, exc)


def _acquire(server: Server, name: str, since: float, timeout: float) -> Any:
    """The lock collection, once this process has created it."""
    deadline = time.monotonic() + timeout
    refused = 0
    while True:
        lock = _create(server, name, since)
        if lock is not None:
            return lock
        holder = _holder_of(server)
        refused = refused + 1 if holder is None else 0
        if refused > _ATTEMPTS:  # refused, yet there is no lock
            raise IndexServerError(f"the Chroma server at {server.url} refuses to create "
                                   f"the collection {name}; see its log")
        if holder is not None and time.time() - float(holder.get("renewed", 0)) > LEASE_S:
            log.warning("taking over the writer lock of %s (process %s), silent for %.0f s",
                        holder.get("host"), holder.get("pid"),
                        time.time() - float(holder["renewed"]))
            server.client.delete_collection(name)
            continue
        if holder is not None and time.monotonic() >= deadline:
            raise IngestLockedError(
                f"another ingest (on {holder.get('host')}, process {holder.get('pid')}) is "
                f"writing to the index in {server.url}; try again when it has finished, or "
                "set IPSKB_INGEST_LOCK_TIMEOUT to wait for it")
        time.sleep(_POLL_S)


def _writer(since: float) -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "since": since,
            "renewed": time.time()}


def _create(server: Server, name: str, since: float) -> Any | None:
    """The lock collection, created by this call, or None when it exists already."""
    try:
        return server.client.create_collection(name, metadata=_writer(since),
                                               embedding_function=None)
    except Exception as exc:
        if shared.is_connection_error(exc):
            raise shared.unreachable(server.url, exc) from exc
        return None  # it exists: Chroma refuses to create a collection twice


def _holder_of(server: Server) -> dict[str, Any] | None:
    found = server.existing(shared.WRITER)
    return None if found is None else dict(found.metadata or {})
