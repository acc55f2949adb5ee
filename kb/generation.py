"""One index generation opened for reading: its stores, documents and the answering parts
built on them, held under a lease so that no ingest removes it while it is read."""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from kb.answer.compose import Library
from kb.errors import IndexMissingError
from kb.index import generations as index
from kb.index import leases
from kb.index.lexical import LexicalIndex, terms
from kb.index.store import VectorStore
from kb.models import Document, GlossaryEntry
from kb.nlp import Pipeline
from kb.query.analyse import Analyser
from kb.query.naming import DocumentNames
from kb.retrieve.fusion import Retriever
from kb.settings import Settings

log = logging.getLogger(__name__)

_WORD = re.compile(r"[A-Za-z]+")
# Times to read the live pointer again when the generation it named was being removed.
_ATTEMPTS = 5


class OpenGeneration:
    """A generation being read. Counts the questions using it: once replaced (`retire`),
    it is closed, and its lease let go, when the last of them finishes. `folder` names it:
    its folder, or for a generation in a Chroma server, its name alone."""

    def __init__(
        self, settings: Settings, folder: Path, store: VectorStore, lexical: LexicalIndex,
        documents: dict[str, Document], chunk_counts: dict[str, int],
        glossary: Sequence[GlossaryEntry], contact_ids: Sequence[str], nlp: Pipeline,
        lease: leases.Held | None = None,
    ) -> None:
        self.folder = folder
        self.store = store
        self.documents = documents
        self.chunk_counts = chunk_counts
        self.glossary: list[GlossaryEntry] = list(glossary)
        self.retriever = Retriever(store, lexical, settings)
        found = store.get_chunks(contact_ids)
        contacts = [found[cid] for cid in contact_ids if cid in found]
        self.library = Library.of(documents, lexical, contacts, self.glossary,
                                  settings.program_name)
        # Names a question may use: the documents' words and their titles, publishers, dates.
        vocabulary = lexical.vocabulary | terms(" ".join(
            f"{d.title} {d.publisher} {d.date} {d.kind}" for d in documents.values()))
        words = {w for d in documents.values() for w in _WORD.findall(f"{d.title} {d.text}")}
        self.analyser = Analyser(
            nlp, DocumentNames(documents), vocabulary, words,
            {e.term: e.expansion for e in self.glossary}, self.library.naming,
            settings.max_question_chars, settings.program_name)
        self._lease = lease
        self._users = 0
        self._retired = False
        self._closed = False
        self._lock = threading.Lock()

    @classmethod
    def open_live(cls, settings: Settings, nlp: Pipeline) -> OpenGeneration:
        """The live generation, leased; raises IndexMissingError or IndexMismatchError
        (and IndexServerError when the index is in a Chroma server that does not answer)."""
        if settings.chroma_url:
            return cls._open_shared(settings, nlp)
        for _ in range(_ATTEMPTS):
            folder = index.require_generation(settings)
            lease = leases.take(folder)
            if lease is None:  # removed between reading the pointer and leasing it
                continue
            try:
                return cls.from_files(settings, folder, folder,
                                      VectorStore(folder / "chroma"), nlp, lease)
            except BaseException:
                lease.release()
                raise
        raise IndexMissingError(
            f"the index in {settings.data_dir} keeps changing; try again")

    @classmethod
    def _open_shared(cls, settings: Settings, nlp: Pipeline) -> OpenGeneration:
        """The live generation of the Chroma server: its files are read into memory from a
        scratch folder, removed once read; its vectors stay in the server."""
        from kb.index import claims, shared

        for _ in range(_ATTEMPTS):
            name = shared.require_generation(settings)
            lease = claims.take(shared.connect(settings), name)
            if lease is None:  # removed between reading the pointer and leasing it
                continue
            try:
                server = shared.connect(settings)  # the store's own: closed with it
                try:
                    with tempfile.TemporaryDirectory(prefix="ipskb-open-") as tmp:
                        shared.download(server, name, Path(tmp))
                        store = VectorStore(client=server.client,
                                            prefix=server.name(name) + ".")
                        return cls.from_files(settings, Path(name), Path(tmp), store, nlp,
                                              lease)
                except BaseException:
                    server.close()
                    raise
            except BaseException:
                lease.release()
                raise
        raise IndexMissingError(
            f"the index in {settings.chroma_url} keeps changing; try again")

    @classmethod
    def from_files(cls, settings: Settings, name: Path, files: Path, store: VectorStore,
                   nlp: Pipeline, lease: leases.Held | None) -> OpenGeneration:
        """The generation `name` from the folder of its files and its vector store."""
        meta = index.read_meta(files)
        return cls(settings, name, store, LexicalIndex.load(files / "bm25"),
                   index.read_documents(files), dict(meta.get("chunks_per_document", {})),
                   index.read_glossary(files), meta.get("contacts", []), nlp, lease)

    def enter(self) -> None:
        """One more question reads this generation."""
        with self._lock:
            self._users += 1

    def leave(self) -> None:
        """A question using it has finished."""
        with self._lock:
            self._users -= 1
            last = self._retired and self._users == 0
        if last:
            self.close()

    def retire(self) -> None:
        """Replaced by a newer generation: close it as soon as nobody reads it."""
        with self._lock:
            self._retired = True
            idle = self._users == 0
        if idle:
            self.close()

    def close(self) -> None:
        """Close the store and let go of the lease (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.store.close()
        if self._lease is not None:
            self._lease.release()
        log.info("closed index generation %s", self.folder.name)
