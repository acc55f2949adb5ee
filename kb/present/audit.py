"""The admin audit log: one JSON object a line, only ever appended to.

Each entry is one `write(2)` of a whole line on a file opened for appending, under an
exclusive lock, then fsynced: two app processes sharing the log never interleave, and a
crash leaves at most a torn last line, which the next entry closes off rather than joins.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kb.errors import KBError

log = logging.getLogger(__name__)


class AuditError(KBError):
    """The audit log cannot be written; the action is not done unlogged."""


@dataclass
class AuditEntry:
    """One admin action: who did what, when, from where, to which document."""

    time: str  # ISO 8601, UTC
    who: str  # the admin's name; "" when nobody was signed in
    client: str  # the client's address
    action: str  # sign-in, sign-out, upload, mark-historical, remove, reingest
    outcome: str  # done, refused, failed, started
    document: str = ""  # the document's path under sources/
    sha256: str = ""  # of the document's bytes
    detail: str = ""


class AuditLog:
    """Appends entries to a JSON-lines file; safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, who: str, client: str, action: str, outcome: str, document: str = "",
               sha256: str = "", detail: str = "") -> AuditEntry:
        """Append one entry and return it; AuditError when it cannot be written."""
        entry = AuditEntry(datetime.now(UTC).isoformat(timespec="milliseconds"), who, client,
                           action, outcome, document, sha256, detail)
        line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self._append(line)
        except OSError as exc:
            log.error("cannot write the audit log %s: %s (lost: %s)", self.path, exc,
                      line.decode("utf-8").strip())
            raise AuditError(f"the audit log cannot be written ({exc.strerror or exc})") from exc
        return entry

    def check_writable(self) -> None:
        """AuditError unless the log can be opened for appending: asked before a change, so
        that a change is not made unlogged."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
        except OSError as exc:
            raise AuditError(f"the audit log cannot be written ({exc.strerror or exc}); "
                             "nothing was done") from exc

    def _append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # a crash tore the last line: keep this one whole
                written = 0
                while written < len(line):
                    written += os.write(fd, line[written:])
                os.fsync(fd)
            finally:
                os.close(fd)

    def entries(self) -> list[AuditEntry]:
        """Every whole entry, oldest first; a torn line is skipped."""
        if not self.path.is_file():
            return []
        out: list[AuditEntry] = []
        for raw in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                data: dict[str, Any] = json.loads(raw)
                out.append(AuditEntry(**data))
            except (ValueError, TypeError):
                if raw.strip():
                    log.warning("skipped a torn line in the audit log %s", self.path)
        return out
