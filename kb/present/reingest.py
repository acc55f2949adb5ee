"""Re-ingest in the background while the app goes on answering.

The ingest builds a new index generation beside the live one; questions are answered from
the live one until the new one is published whole. The knowledge base is then switched to
it at once (it would also notice it by itself on the next question), so the next question
is answered from the new documents without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from kb.errors import KBError
from kb.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from ingest.pipeline import IngestReport

log = logging.getLogger(__name__)

State = Literal["idle", "running", "done", "failed"]
STAGES = {"reading": "reading files", "embedding": "embedding passages",
          "writing": "writing the new index", "switching": "switching to the new index"}


@dataclass(frozen=True)
class JobStatus:
    """Where the re-ingest is."""

    state: State = "idle"
    stage: str = ""
    done: int = 0
    total: int = 0
    message: str = ""
    started_by: str = ""

    def describe(self) -> str:
        """One line for the admin tab."""
        if self.state == "running":
            step = STAGES.get(self.stage, "starting")
            share = f" ({self.done} of {self.total})" if self.total > 1 else ""
            return f"Re-ingest running: {step}{share}. Answers come from the previous index."
        if self.state == "idle":
            return "No re-ingest has run since the app started."
        return self.message


class Reingest:
    """One background ingest at a time into the knowledge base's own data dir."""

    def __init__(self, kb: KnowledgeBase,
                 on_finish: Callable[[JobStatus], None] | None = None) -> None:
        self.kb = kb
        self._on_finish = on_finish
        self._status = JobStatus()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> JobStatus:
        with self._lock:
            return self._status

    @property
    def running(self) -> bool:
        return self.status.state == "running"

    def start(self, who: str) -> bool:
        """Start a re-ingest; False when one is running already."""
        with self._lock:
            if self._status.state == "running":
                return False
            self._status = JobStatus("running", started_by=who)
            self._thread = threading.Thread(target=self._run, name="ipskb-reingest",
                                            daemon=True)
            self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> JobStatus:
        """The status once the running re-ingest has finished (or `timeout` passed)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status

    def _progress(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self._status = replace(self._status, stage=stage, done=done, total=total)

    def _run(self) -> None:
        from ingest.pipeline import ingest

        started, before = time.monotonic(), self.kb.folder
        try:
            report = ingest(self.kb.settings, progress=self._progress, embedder=self.kb.embedder)
            self._progress("switching", 0, 1)
            self.kb.refresh()
            final = JobStatus("done", message=_summary(
                report, time.monotonic() - started, self.kb.folder.name,
                self.kb.folder != before))
        except KBError as exc:
            final = JobStatus("failed", message=f"Re-ingest failed: {exc}. Answers still "
                              "come from the previous index.")
        except Exception as exc:  # the app goes on; the admin is told, the log has the rest
            log.exception("re-ingest failed")
            final = JobStatus("failed", message=f"Re-ingest failed ({exc.__class__.__name__}; "
                              "see the server log). Answers still come from the previous index.")
        with self._lock:
            self._status = replace(final, started_by=self._status.started_by)
        if self._on_finish is not None:
            self._on_finish(self.status)


def _summary(report: IngestReport, seconds: float, generation: str, switched: bool) -> str:
    skipped = "".join(f" Skipped {name}: {reason}." for name, reason in report.skipped[:5])
    if not switched:
        return (f"Re-ingest done in {seconds:.0f} s: nothing had changed; answers come from "
                f"{generation}.{skipped}")
    if report.up_to_date:
        counts = "document details updated"
    else:
        counts = (f"{len(report.added)} added, {len(report.changed)} changed, "
                  f"{len(report.removed)} removed")
    return (f"Re-ingest done in {seconds:.0f} s: {counts}; answers now come from "
            f"{generation}.{skipped}")
