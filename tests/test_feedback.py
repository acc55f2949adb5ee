"""Answer feedback: durable SQLite storage, thread safety and export as draft eval cases."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kb.errors import KBError
from kb.index import generations as index
from kb.present.cli import main
from kb.present.feedback import FeedbackEntry, FeedbackError, FeedbackStore
from kb.settings import Settings

CITATION = {
    "n": 1, "source": "guide.md", "title": "Quay Guide", "url": "https://example.org/guide",
    "location": "Contacts", "status": "current", "quote": "The Office of Quay Assessments.",
}
DRAFT_KEYS = ["id", "category", "question", "answerable", "facts", "sources", "split", "draft",
              "answer_given", "mode_given", "feedback_reason"]


def contract(question: str = "Which office manages the Quay program?",
             answer: str = "The Office of Quay Assessments.", mode: str = "extractive",
             citations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An answer in the shape of ``Answer.to_json()``."""
    cites = [CITATION] if citations is None else citations
    return {"question": question, "answer": answer, "abstained": mode == "abstain",
            "mode": mode, "citations": cites}


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "data" / "feedback.sqlite3")


def test_lives_directly_in_the_data_dir(tmp_path: Path) -> None:
    store = FeedbackStore.for_settings(Settings(data_dir=tmp_path / "data"))
    assert store.path == tmp_path / "data" / "feedback.sqlite3"


def test_add_is_durable_across_reopening(store: FeedbackStore) -> None:
    first = store.add(contract(), 1, "  exactly right  ")
    second = store.add(contract("Who runs drills?", "No answer.", "abstain", []), -1)
    assert (first, second) == (1, 2)
    assert store.path.parent.is_dir()  # parent folders were created

    entries = FeedbackStore(store.path).entries()
    assert [e.id for e in entries] == [1, 2]
    one, two = entries
    assert one == FeedbackEntry(
        id=1, created=one.created, question="Which office manages the Quay program?",
        answer="The Office of Quay Assessments.", mode="extractive", citations=[CITATION],
        rating=1, reason="exactly right",
    )
    assert (two.question, two.answer, two.mode, two.citations, two.rating, two.reason) == (
        "Who runs drills?", "No answer.", "abstain", [], -1, "")
    created = datetime.fromisoformat(one.created)
    assert created.utcoffset() == timedelta(0)


def test_update_changes_the_entry_in_place(store: FeedbackStore) -> None:
    entry = store.add(contract(), 1, "right")
    store.update(entry, -1, "  missing the address  ")
    assert [(e.id, e.rating, e.reason) for e in store.entries()] == [
        (1, -1, "missing the address")]
    with pytest.raises(FeedbackError, match="feedback #9 is not in"):
        store.update(9, 1)
    with pytest.raises(ValueError, match="rating must be"):
        store.update(entry, 0)


def test_uses_wal_journal_mode(store: FeedbackStore) -> None:
    store.add(contract(), 1)
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_survives_index_pruning(store: FeedbackStore) -> None:
    store.add(contract(), -1)
    # An ingest prunes old generations in the data dir; feedback must not go with them.
    index.prune(store.path.parent, keep=None)
    assert [e.rating for e in FeedbackStore(store.path).entries()] == [-1]


def test_filter_by_rating(store: FeedbackStore) -> None:
    for rating in (1, -1, -1, 1, -1):
        store.add(contract(), rating)
    assert [e.id for e in store.entries(rating=1)] == [1, 4]
    assert [e.id for e in store.entries(rating=-1)] == [2, 3, 5]
    assert [e.id for e in store.entries()] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("rating", [0, 2, -2, True, 1.0, "1", None])
def test_bad_rating_is_rejected(store: FeedbackStore, rating: Any) -> None:
    with pytest.raises(ValueError, match="rating must be \\+1 or -1"):
        store.add(contract(), rating)
    assert store.entries() == []


def test_bad_rating_filter_is_rejected(store: FeedbackStore) -> None:
    with pytest.raises(ValueError, match="rating must be \\+1 or -1"):
        store.entries(rating=0)


def test_answer_without_question_is_rejected(store: FeedbackStore) -> None:
    with pytest.raises(ValueError, match="question"):
        store.add({"answer": "x", "mode": "extractive", "citations": []}, 1)


def test_reason_is_capped(store: FeedbackStore) -> None:
    store.add(contract(), -1, "x" * 5000)
    assert store.entries()[0].reason == "x" * 2000


def test_reading_a_missing_store_creates_nothing(store: FeedbackStore) -> None:
    assert store.entries() == []
    assert not store.path.parent.exists()


def test_export_writes_only_thumbs_down(store: FeedbackStore, tmp_path: Path) -> None:
    store.add(contract("Good one?"), 1, "fine")
    store.add(contract("Which office manages the Quay program?", "Wrong office.", "extractive"), -1,
              "names the wrong office")
    store.add(contract("What is a French omelette?", "No answer.", "abstain", []), -1)
    out = tmp_path / "evals" / "drafts.jsonl"

    assert store.export_drafts(out) == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    drafts = [json.loads(line) for line in lines]
    assert [list(d) for d in drafts] == [DRAFT_KEYS, DRAFT_KEYS]
    assert drafts == [
        {"id": "fb-2", "category": "", "question": "Which office manages the Quay program?",
         "answerable": None, "facts": [], "sources": [], "split": "dev", "draft": True,
         "answer_given": "Wrong office.", "mode_given": "extractive",
         "feedback_reason": "names the wrong office"},
        {"id": "fb-3", "category": "", "question": "What is a French omelette?",
         "answerable": None, "facts": [], "sources": [], "split": "dev", "draft": True,
         "answer_given": "No answer.", "mode_given": "abstain", "feedback_reason": ""},
    ]
    assert [p.name for p in out.parent.iterdir()] == ["drafts.jsonl"]  # no temp file left


def test_export_is_valid_jsonl_and_replaces_the_file(store: FeedbackStore,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "drafts.jsonl"
    out.write_text("stale\n", encoding="utf-8")
    store.add(contract('Quotes " and \\ and\nnewlines, café'), -1, "line one\nline two")
    assert store.export_drafts(out) == 1
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.count("\n") == 1
    record = json.loads(text)
    assert record["question"] == 'Quotes " and \\ and\nnewlines, café'
    assert record["feedback_reason"] == "line one\nline two"


def test_export_with_no_feedback_writes_an_empty_file(store: FeedbackStore,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "drafts.jsonl"
    assert store.export_drafts(out) == 0
    assert out.read_text(encoding="utf-8") == ""


def test_concurrent_adds_all_land(store: FeedbackStore) -> None:
    threads, per_thread = 8, 25
    ids: list[int] = []
    errors: list[BaseException] = []
    ids_lock = threading.Lock()
    start = threading.Barrier(threads)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                new = store.add(contract(f"question {n}-{i}"), 1 if i % 2 else -1)
                with ids_lock:
                    ids.append(new)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert errors == []
    total = threads * per_thread
    assert sorted(ids) == list(range(1, total + 1))
    entries = FeedbackStore(store.path).entries()
    assert len(entries) == total
    assert {e.question for e in entries} == {
        f"question {n}-{i}" for n in range(threads) for i in range(per_thread)}


def test_corrupt_file_is_a_clear_error(store: FeedbackStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"this is not a SQLite database\n" * 200)
    with pytest.raises(FeedbackError, match="is damaged or not a SQLite file") as caught:
        store.add(contract(), 1)
    assert isinstance(caught.value, KBError)
    assert "move it aside" in str(caught.value) and str(store.path) in str(caught.value)
    with pytest.raises(FeedbackError, match="move it aside"):
        FeedbackStore(store.path).entries()


def test_cli_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("IPSKB_DATA_DIR", str(data))
    store = FeedbackStore(data / "feedback.sqlite3")
    store.add(contract(), -1, "wrong")
    store.add(contract(), 1)
    out = tmp_path / "out" / "drafts.jsonl"

    assert main(["feedback", "export", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote 1 draft evaluation cases to {out}\n"
    record = json.loads(out.read_text(encoding="utf-8"))
    assert (record["id"], record["feedback_reason"], record["draft"]) == ("fb-1", "wrong", True)


def test_cli_export_corrupt_store_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "feedback.sqlite3").write_bytes(b"garbage" * 1000)
    monkeypatch.setenv("IPSKB_DATA_DIR", str(data))
    assert main(["feedback", "export", "--out", str(tmp_path / "drafts.jsonl")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ipskb: the feedback database ")
    assert "move it aside" in err[0]
    assert not (tmp_path / "drafts.jsonl").exists()


def test_cli_feedback_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["feedback"])
    assert caught.value.code == 2
    assert "the following arguments are required: feedback_command" in capsys.readouterr().err
