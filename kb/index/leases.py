"""Leases on index generations: a reader (or the writer building one) holds a shared lock on
the generation's LEASE file, and an ingest removes only the generations nobody holds.

The lock is `flock(2)` on a file inside the folder: the operating system drops it when its
holder exits or is killed, so a crashed reader never pins a generation for ever, and it
works between threads of one process as between processes (each lease opens the file
anew). filelock offers only exclusive locks on a descriptor, and its read-write lock is
bound to the thread that took it, while a reader's lease is taken by the thread that opens
a generation and let go by whichever request finishes last with it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

LEASE = "LEASE"
META = "index.json"
# A folder being removed is renamed first, so that no reader can open it half-deleted.
GONE_PREFIX = "tmp-gone-"


class Held(Protocol):
    """A lease of either kind: on a folder (below) or in a Chroma server (kb.index.claims)."""

    def release(self) -> None: ...

    @property
    def held(self) -> bool: ...


class Lease:
    """A held lease on one generation folder; `release()` lets an ingest remove it."""

    def __init__(self, folder: Path, fd: int) -> None:
        self.folder = folder
        self._fd: int | None = fd

    def release(self) -> None:
        """Let go of the generation (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops its flock
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def take(folder: Path, require_meta: bool = True) -> Lease | None:
    """A shared lease on `folder`, or None when it is gone or being removed (the caller
    then reads the live pointer again). `require_meta`: the folder must be a whole
    generation (a writer's workspace has no index.json yet)."""
    try:
        fd = os.open(folder / LEASE, os.O_RDWR | os.O_CREAT, 0o644)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a read-only data dir: read it, but nothing can be promised
        log.warning("cannot take a lease on %s (%s); an ingest may remove it", folder.name, exc)
        return Lease(folder, os.open(os.devnull, os.O_RDONLY))
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:  # an ingest is removing it right now
        os.close(fd)
        return None
    # The lock may have been granted on a folder renamed away meanwhile (see remove).
    if require_meta and not (folder / META).is_file():
        os.close(fd)
        return None
    return Lease(folder, fd)


def remove_if_free(folder: Path) -> bool:
    """Remove `folder` unless a lease on it is held; whether it was removed."""
    try:
        fd = os.open(folder / LEASE, os.O_RDWR | os.O_CREAT, 0o644)
    except FileNotFoundError:  # removed by someone else already
        return not folder.exists()
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        # Renamed while the lock is held: a reader that opens the old path after this sees
        # no folder, and one that got in before holds a lock that made this fail.
        gone = folder.with_name(GONE_PREFIX + folder.name.removeprefix(GONE_PREFIX))
        if gone != folder:
            os.replace(folder, gone)
        shutil.rmtree(gone, ignore_errors=True)
        return True
    finally:
        os.close(fd)
