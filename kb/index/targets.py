"""Where an ingest writes its new generation: a folder under the data directory (the
default) or a Chroma server (IPSKB_CHROMA_URL). Both build the whole generation aside and
make it live in one last step, so a crash at any point leaves the old one serving."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kb.index import claims, shared
from kb.index import generations as index
from kb.index.leases import Lease
from kb.index.store import VectorStore
from kb.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Workspace:
    """A generation being built: `folder` gets its files (index.json, bm25/ ...)."""

    name: str
    folder: Path
    lease: Lease | None = None


class Target(Protocol):
    """What the ingest pipeline needs of the place it writes to."""

    def locked(self) -> AbstractContextManager[None]:
        """Hold the writer lock for the block; removes what a dead writer left behind."""

    def live(self) -> Path | None:
        """A folder with the live generation's files (documents.json ...), or None."""

    def begin(self) -> Workspace: ...

    def store(self, workspace: Workspace, copy_of: Path | None) -> VectorStore:
        """The workspace's vector store, holding a copy of `copy_of`'s (a live() folder)."""

    def publish(self, workspace: Workspace) -> str:
        """Make the workspace live; its name."""

    def abandon(self, workspace: Workspace) -> None: ...


class LocalTarget:
    """Generations as folders under the data directory (see kb.index.generations)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir

    @contextmanager
    def locked(self) -> Iterator[None]:
        with index.writer_lock(self.settings):
            # Under the lock nobody else is building, so any workspace is a dead writer's.
            stale = index.prune(self.data_dir, keep=index.current_generation(self.data_dir))
            if stale:
                log.warning("removed what an interrupted ingest left behind: %s",
                            ", ".join(stale))
            yield

    def live(self) -> Path | None:
        return index.current_generation(self.data_dir)

    def begin(self) -> Workspace:
        folder, lease = index.new_workspace(self.data_dir)
        return Workspace(folder.name, folder, lease)

    def store(self, workspace: Workspace, copy_of: Path | None) -> VectorStore:
        if copy_of is not None:
            shutil.copytree(copy_of / "chroma", workspace.folder / "chroma")
        return VectorStore(workspace.folder / "chroma")

    def publish(self, workspace: Workspace) -> str:
        final = index.publish(self.data_dir, workspace.folder)
        if workspace.lease is not None:
            workspace.lease.release()
        return final.name

    def abandon(self, workspace: Workspace) -> None:
        if workspace.lease is not None:
            workspace.lease.release()
        shutil.rmtree(workspace.folder, ignore_errors=True)


class ServerTarget:
    """Generations as collections in a Chroma server (see kb.index.shared); the files a
    generation keeps beside its vectors are built in a local folder, then stored in the
    server before the pointer moves."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server = shared.connect(settings)
        self._stack = ExitStack()
        self._live: str | None = None

    @contextmanager
    def locked(self) -> Iterator[None]:
        self._stack.callback(self.server.close)
        with self._stack, index.writer_lock(self.settings), \
                claims.writer_lock(self.server, self.settings.ingest_lock_timeout):
            stale = claims.prune(self.server, keep=set())
            if stale:
                log.warning("removed what an interrupted ingest left behind in %s: %s",
                            self.server.url, ", ".join(stale))
            yield

    def _scratch(self, prefix: str) -> Path:
        return Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix)))

    def live(self) -> Path | None:
        self._live = shared.current(self.server)
        if self._live is None:
            return None
        folder = self._scratch("ipskb-live-")
        shared.download(self.server, self._live, folder)
        return folder

    def begin(self) -> Workspace:
        return Workspace(shared.stamp(), self._scratch("ipskb-build-"))

    def store(self, workspace: Workspace, copy_of: Path | None) -> VectorStore:
        # Each store has a connection of its own: closing a store closes its client.
        store = self._open(workspace.name)
        if copy_of is not None and self._live is not None:
            previous = self._open(self._live)
            try:
                store.copy_from(previous)
            finally:
                previous.close()
        return store

    def _open(self, name: str) -> VectorStore:
        return VectorStore(client=shared.connect(self.settings).client,
                           prefix=self._prefix(name))

    def _prefix(self, name: str) -> str:
        return self.server.name(name) + "."

    def publish(self, workspace: Workspace) -> str:
        shared.upload(self.server, workspace.name, workspace.folder)
        shared.point_to(self.server, workspace.name, self._live)
        claims.prune(self.server, keep={workspace.name})
        return workspace.name

    def abandon(self, workspace: Workspace) -> None:
        try:
            found = shared.generations(self.server).get(workspace.name, [])
            shared.remove(self.server, workspace.name, found)
        except Exception as exc:  # the next ingest removes it
            log.warning("could not remove the unfinished %s: %s", workspace.name, exc)


def target_for(settings: Settings) -> Target:
    """The target `settings` name: a Chroma server if IPSKB_CHROMA_URL is set."""
    return ServerTarget(settings) if settings.chroma_url else LocalTarget(settings)
