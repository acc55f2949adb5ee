"""Durable thumbs-up / thumbs-down feedback on answers, kept in one SQLite file beside the
index, and its export as draft evaluation cases for a person to complete."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.errors import KBError

if TYPE_CHECKING:
    from kb.settings import Settings

log = logging.getLogger(__name__)

FILENAME = "feedback.sqlite3"
RATINGS = (1, -1)
MAX_REASON = 2000
# Generous: writers hold the lock for one small insert, so waiting beats failing.
BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    mode TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (1, -1)),
    reason TEXT NOT NULL DEFAULT ''
)
"""
_COLUMNS = "id, created, question, answer, mode, citations, rating, reason"


class FeedbackError(KBError):
    """The feedback database cannot be used (damaged, busy, unwritable)."""


@dataclass
class FeedbackEntry:
    """One rating of one answer, as stored."""

    id: int
    created: str  # ISO 8601, UTC
    question: str
    answer: str
    mode: str
    citations: list[dict[str, Any]]  # as in the answer's JSON contract
    rating: int  # +1 or -1
    reason: str  # may be empty


class FeedbackStore:
    """Ratings of answers in a SQLite file. Safe to share between threads: every operation
    opens its own connection, and WAL mode lets readers run beside a writer."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False
        self._init_lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        """The store of a data dir. It sits beside the index generations, not inside one,
        because every ingest replaces those folders wholesale."""
        return cls(settings.data_dir / FILENAME)

    def add(self, answer: Mapping[str, Any], rating: int, reason: str = "") -> int:
        """Record a rating of an answer given as its JSON contract (``Answer.to_json()``);
        return the new entry's id. Raise ValueError for a rating other than +1 or -1."""
        _check_rating(rating)
        question = answer.get("question")
        if not isinstance(question, str) or not question.strip():
            raise ValueError("feedback needs the answer's question")
        citations = answer.get("citations") or []
        if not isinstance(citations, list):
            raise ValueError("the answer's citations must be a list")
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            question,
            str(answer.get("answer") or ""),
            str(answer.get("mode") or ""),
            json.dumps(citations, ensure_ascii=False),
            rating,
            (reason or "").strip()[:MAX_REASON],
        )
        with self._session() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (created, question, answer, mode, citations, rating,"
                " reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            entry_id = int(cur.lastrowid or 0)
        log.info("feedback %d recorded: %+d", entry_id, rating)
        return entry_id

    def update(self, entry_id: int, rating: int, reason: str = "") -> None:
        """Change the rating and reason of entry `entry_id`: a person changing their mind
        about one answer leaves one entry, not two. Raise FeedbackError if it is gone."""
        _check_rating(rating)
        with self._session() as conn:
            cur = conn.execute("UPDATE feedback SET rating = ?, reason = ? WHERE id = ?",
                               (rating, (reason or "").strip()[:MAX_REASON], entry_id))
            if cur.rowcount != 1:
                raise FeedbackError(f"feedback #{entry_id} is not in {self.path}")
        log.info("feedback %d changed: %+d", entry_id, rating)

    def entries(self, rating: int | None = None) -> list[FeedbackEntry]:
        """All entries, oldest first; only those with ``rating`` if given."""
        if rating is not None:
            _check_rating(rating)
        if not self.path.exists():
            return []  # reading must not create a database (or a mistyped data dir)
        sql = f"SELECT {_COLUMNS} FROM feedback"
        params: tuple[int, ...] = ()
        if rating is not None:
            sql, params = sql + " WHERE rating = ?", (rating,)
        with self._session() as conn:
            rows = conn.execute(sql + " ORDER BY id", params).fetchall()
        return [_entry(row) for row in rows]

    def export_drafts(self, path: Path) -> int:
        """Write every thumbs-down entry to ``path`` as a draft evaluation case, one JSON
        object per line in the evals/questions.jsonl format; return how many. The file is
        replaced atomically, so a reader never sees half of it."""
        drafts = [_draft(e) for e in self.entries(rating=-1)]
        lines = [json.dumps(d, ensure_ascii=False) + "\n" for d in drafts]
        _write_atomic(Path(path), lines)
        log.info("exported %d feedback drafts to %s", len(drafts), path)
        return len(drafts)

    @contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection holding one transaction: committed if the block succeeds,
        rolled back if it raises, always closed. SQLite failures become FeedbackError."""
        try:
            self._prepare()
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            try:
                with conn:
                    yield conn
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _prepare(self) -> None:
        """Create the folder, WAL mode and the table once per store."""
        with self._init_lock:
            if self._ready:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FeedbackError(f"cannot create {self.path.parent}: {exc}") from exc
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            try:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("feedback database %s stays in %s journal mode", self.path, mode)
                conn.execute(_SCHEMA)
                conn.commit()
            finally:
                conn.close()
            self._ready = True

    def _error(self, exc: sqlite3.Error) -> FeedbackError:
        where = self.path
        if isinstance(exc, sqlite3.OperationalError):
            if "locked" in str(exc) or "busy" in str(exc):
                return FeedbackError(
                    f"the feedback database {where} stayed busy for {BUSY_TIMEOUT_S:g}s; "
                    "try again"
                )
            return FeedbackError(
                f"cannot use the feedback database {where} ({exc}); check that its folder "
                "exists and is writable"
            )
        # SQLITE_NOTADB / SQLITE_CORRUPT arrive as plain DatabaseError.
        return FeedbackError(
            f"the feedback database {where} is damaged or not a SQLite file ({exc}); "
            f"move it aside (for example rename it to {where.name}.bad) and a new one "
            "will be started"
        )


def _check_rating(rating: object) -> None:
    # bool is an int subclass: True would silently count as a thumbs-up.
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise ValueError(f"rating must be +1 or -1, not {rating!r}")


def _entry(row: tuple[Any, ...]) -> FeedbackEntry:
    id_, created, question, answer, mode, citations, rating, reason = row
    return FeedbackEntry(
        id=int(id_), created=created, question=question, answer=answer, mode=mode,
        citations=json.loads(citations), rating=int(rating), reason=reason,
    )


def _draft(entry: FeedbackEntry) -> dict[str, Any]:
    """A thumbs-down entry as an evaluation item a person still has to fill in."""
    return {
        "id": f"fb-{entry.id}",
        "category": "",
        "question": entry.question,
        "answerable": None,
        "facts": [],
        "sources": [],
        "split": "dev",
        "draft": True,
        "answer_given": entry.answer,
        "mode_given": entry.mode,
        "feedback_reason": entry.reason,
    }


def _write_atomic(path: Path, lines: list[str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A unique temp name in the same folder: os.replace must not cross filesystems,
        # and two exports at once must not write into the same temp file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.writelines(lines)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; drafts are for people to read
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise FeedbackError(f"cannot write {path}: {exc}") from exc
