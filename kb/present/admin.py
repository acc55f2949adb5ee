"""The admin tab's actions, apart from its Gradio layout (kb.present.admin_tab): sign in and
out, upload a document, mark one historical, remove one, re-ingest.

Every action is checked here, on the server, against a live session: the tab's controls
are hidden from a signed-out page, but an action called directly (the Gradio API, a
crafted request) is refused the same way. Every action, refused or done, is written to the
audit log first-hand: who, when, from where, what, and the document's sha256.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from pathlib import Path

from ingest import manifest_edit
from ingest.sources import MANIFEST, discover
from ingest.upload import Metadata, store_upload
from kb.errors import KBError
from kb.index.weights import file_sha256
from kb.knowledge import KnowledgeBase
from kb.present.audit import AuditLog
from kb.present.auth import AdminError, AdminSession, SignIn, SignInError
from kb.present.reingest import JobStatus, Reingest
from kb.settings import Settings
from kb.shown import excerpt

log = logging.getLogger(__name__)

COOKIE = "ipskb_admin"  # lets a signed-in page's uploads through the guard
SIGNED_OUT = "Sign in first: admin actions need a signed-in admin."
BUSY = "A re-ingest is running; try again when it has finished."
SOURCES_LOCK = "sources.lock"  # in the data dir: held while one change is made to sources/
EDIT_WAIT_S = 10.0


class NotSignedIn(AdminError):
    """An admin action without a live session."""


@dataclass
class DocumentRow:
    """A document in the sources folder, as the admin tab lists it."""

    doc_id: str
    title: str
    date: str
    status: str
    indexed: bool  # in the generation answers come from now


class AdminConsole:
    """The admin actions on one knowledge base. The index and sources are the knowledge
    base's own (`kb.settings`); `settings` gives the admin setup and the audit log."""

    def __init__(self, kb: KnowledgeBase, settings: Settings) -> None:
        self.kb = kb
        self.settings = settings
        self.signin = SignIn(settings)
        self.audit = AuditLog(settings.audit_path)
        self.job = Reingest(kb, on_finish=self._finished)
        self._edit = threading.Lock()  # one change to the sources folder at a time

    @property
    def sources_dir(self) -> Path:
        return self.kb.settings.sources_dir

    # -- sessions ---------------------------------------------------------------------------
    def sign_in(self, user: str, password: str, client: str) -> AdminSession:
        """A session, or SignInError (wrong, or too many failures); both are audited."""
        name = excerpt(user.strip(), 64)
        try:
            session = self.signin.sign_in(user, password, client)
        except SignInError as exc:
            self.audit.record(name, client, "sign-in", "refused", detail=str(exc))
            raise
        self.audit.record(session.user, client, "sign-in", "done")
        return session

    def sign_out(self, token: str, client: str) -> None:
        session = self.signin.sign_out(token)
        if session is not None:
            self.audit.record(session.user, client, "sign-out", "done")

    def require(self, token: str | None, client: str, action: str, document: str = "",
                audited: bool = True) -> AdminSession:
        """The live session `token` names, or NotSignedIn (audited as refused, but for
        reads, which change nothing and which a page polls)."""
        session = self.signin.session(token)
        if session is None:
            if audited:
                self.audit.record("", client, action, "refused",
                                  document=excerpt(document, 200), detail="not signed in")
            raise NotSignedIn(SIGNED_OUT)
        return session

    def allows_upload(self, headers: Mapping[str, str]) -> bool:
        """Whether a request to Gradio's upload route comes from a signed-in page (the
        guard asks before the body is read)."""
        try:
            cookie = SimpleCookie(headers.get("cookie", ""))
        except CookieError:
            return False
        morsel = cookie.get(COOKIE)
        return morsel is not None and self.signin.session(morsel.value) is not None

    # -- documents --------------------------------------------------------------------------
    def upload(self, token: str | None, client: str, path: str | None, name: str,
               meta: Metadata) -> str:
        """Add the uploaded file at `path` (Gradio's temporary copy) as `name`."""
        session = self.require(token, client, "upload", name)

        def work() -> tuple[str, str, str]:
            if not path:
                raise AdminError("choose a file to upload first")
            stored = store_upload(self.kb.settings, name, _read_upload(Path(path), self.settings),
                                  meta)
            return stored.doc_id, stored.sha256, f"{stored.size} bytes; {meta.status}"

        doc_id = self._change(session, client, "upload", name, work)
        return f"Added {doc_id}. Re-ingest to answer from it."

    def mark_historical(self, token: str | None, client: str, doc_id: str) -> str:
        session = self.require(token, client, "mark-historical", doc_id)

        def work() -> tuple[str, str, str]:
            path, digest = self._document(doc_id)
            known = self.kb.documents.get(doc_id)
            title = known.title if known else path.stem
            manifest_edit.set_status(self.sources_dir / MANIFEST, doc_id, "historical", title)
            return doc_id, digest, ""

        self._change(session, client, "mark-historical", doc_id, work)
        return f"{doc_id} is marked historical. Re-ingest to answer with it so."

    def remove(self, token: str | None, client: str, doc_id: str) -> str:
        session = self.require(token, client, "remove", doc_id)

        def work() -> tuple[str, str, str]:
            _, digest = self._document(doc_id)
            kept = manifest_edit.remove_document(self.sources_dir, doc_id,
                                                 self.kb.settings.data_dir)
            return doc_id, digest, f"kept as {kept}"

        self._change(session, client, "remove", doc_id, work)
        return f"{doc_id} is removed from the sources. Re-ingest to stop answering from it."

    def reingest(self, token: str | None, client: str) -> str:
        session = self.require(token, client, "reingest")
        with self._edit:  # no change to the sources starts meanwhile
            self.audit.check_writable()
            if self.job.running:
                self.audit.record(session.user, client, "reingest", "refused", detail=BUSY)
                raise AdminError(BUSY)
            self.audit.record(session.user, client, "reingest", "started")
            self.job.start(session.user)
        return self.job.status.describe()

    def status(self, token: str | None, client: str) -> JobStatus:
        self.require(token, client, "status", audited=False)
        return self.job.status

    def documents(self, token: str | None, client: str) -> list[DocumentRow]:
        """What the sources folder holds now (the next re-ingest's documents)."""
        self.require(token, client, "list", audited=False)
        sources, _ = discover(self.sources_dir)
        indexed = self.kb.documents
        return [DocumentRow(s.doc_id, s.provenance.get("title") or
                            (indexed[s.doc_id].title if s.doc_id in indexed else s.path.name),
                            s.provenance.get("date", ""), s.provenance.get("status", "current"),
                            s.doc_id in indexed) for s in sources]

    # -- helpers ----------------------------------------------------------------------------
    def _change(self, session: AdminSession, client: str, action: str, label: str,
                work: Callable[[], tuple[str, str, str]]) -> str:
        """Run one change to the sources folder, alone and never while a re-ingest reads
        it, and audit it: done with its document's sha256, or refused with the reason."""
        from filelock import FileLock, Timeout

        self.audit.check_writable()
        # Another app process on the same sources edits them only under the same lock.
        lock = FileLock(self.kb.settings.data_dir / SOURCES_LOCK, timeout=EDIT_WAIT_S)
        try:
            with self._edit, lock:
                if self.job.running:
                    raise AdminError(BUSY)
                doc_id, digest, detail = work()
        except Timeout as exc:
            raise AdminError("another app is changing the sources; try again") from exc
        except (KBError, OSError) as exc:
            reason = str(exc) if isinstance(exc, KBError) else f"cannot be done: {exc}"
            self.audit.record(session.user, client, action, "refused",
                              document=excerpt(label, 200), detail=reason)
            raise exc if isinstance(exc, AdminError) else AdminError(reason) from exc
        self.audit.record(session.user, client, action, "done", document=doc_id,
                          sha256=digest, detail=detail)
        return doc_id

    def _document(self, doc_id: str) -> tuple[Path, str]:
        path = manifest_edit.document_path(self.sources_dir, doc_id)
        return path, file_sha256(path)

    def _finished(self, status: JobStatus) -> None:
        try:
            self.audit.record(status.started_by, "", "reingest", status.state,
                              detail=status.message)
        except KBError:
            log.exception("the end of a re-ingest could not be audited")


def _read_upload(path: Path, settings: Settings) -> bytes:
    limit = min(settings.admin_upload_max_bytes, settings.max_file_bytes)
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise AdminError(f"the uploaded file cannot be read: {exc.strerror}") from exc
    if len(data) > limit:
        raise AdminError(f"the file is over the limit of {limit:,} bytes "
                         "(IPSKB_ADMIN_UPLOAD_MAX_BYTES)")
    return data
