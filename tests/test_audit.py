"""The admin tab's append-only audit log, on its own."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from kb.present.audit import AuditError, AuditLog


# -- the audit log ---------------------------------------------------------------------------
def test_the_audit_log_appends_whole_lines(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit" / "audit.jsonl")
    log.record("admin", "10.0.0.1", "upload", "done", "uploads/a.txt", "ab" * 32, "9 bytes")
    with log.path.open("ab") as fh:  # a crash in the middle of a line
        fh.write(b'{"time": "2031-01-01T00:00:00", "who": "adm')
    log.record("admin", "10.0.0.1", "remove", "done", "faq.txt", "cd" * 32)
    lines = log.path.read_bytes().split(b"\n")
    assert len(lines) == 4 and lines[-1] == b""
    assert json.loads(lines[2])["action"] == "remove"  # not glued to the torn line
    entries = log.entries()
    assert [(e.who, e.action, e.document, e.sha256) for e in entries] == [
        ("admin", "upload", "uploads/a.txt", "ab" * 32), ("admin", "remove", "faq.txt", "cd" * 32)]
    assert entries[0].time.endswith("+00:00") and entries[0].client == "10.0.0.1"
    assert os.stat(log.path).st_mode & 0o777 == 0o600


def test_concurrent_entries_never_interleave(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    detail = "x" * 5000  # longer than a pipe's atomic write, as a filename-heavy entry may be

    def write(n: int) -> None:
        for i in range(25):
            log.record(f"admin{n}", "", "upload", "done", f"uploads/{n}-{i}.txt", detail=detail)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    raw = log.path.read_text(encoding="utf-8").splitlines()
    assert len(raw) == 200 and all(json.loads(line)["detail"] == detail for line in raw)


def test_an_unwritable_audit_log_is_an_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    log = AuditLog(blocked / "audit.jsonl")
    with pytest.raises(AuditError, match="the audit log cannot be written"):
        log.record("admin", "", "upload", "done")
    with pytest.raises(AuditError, match=r"cannot be written .*; nothing was done"):
        log.check_writable()
