"""Readers and writers of the index at the same time: a reader keeps its generation until it
has switched to the new one, a live app answers across ingests without a failed request,
and a second writer can never publish over the first. Real ingests into temp dirs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import h_panels
from ingest.pipeline import ingest
from kb.errors import IngestLockedError
from kb.index import generations as index
from kb.index import leases
from kb.index.embedder import Embedder
from kb.index.lexical import LexicalIndex
from kb.knowledge import KnowledgeBase
from kb.present.chat import Handlers, Session
from kb.settings import Settings
from tests.conftest import serve_app

SettingsFactory = Callable[..., Settings]
QUAY = "Which office manages the Quay program?"
MOVED = "Where did everything move?"


def _move_to(settings: Settings, place: str) -> None:
    (settings.sources_dir / "guide.md").write_text(
        f"# Guide\n\nEverything moved to {place}.\n", encoding="utf-8")


def _wait_for(check: Callable[[], bool], what: str, tries: int = 600) -> None:
    """Poll `check` (a question per try, or a short sleep), failing after `tries` tries."""
    for _ in range(tries):
        if check():
            return
        threading.Event().wait(0.1)
    raise AssertionError(f"never saw {what}")


def test_a_reader_keeps_its_generation_until_it_has_switched(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    with KnowledgeBase.open(settings, embedder) as kb:
        first = kb.folder
        _move_to(settings, "Tromso")
        ingest(settings, embedder=embedder)
        _move_to(settings, "Bergen")
        (settings.sources_dir / "berths.txt").write_text(
            "Berth Notes\n\nBerth nine is reserved for pilot boats.\n", encoding="utf-8")
        ingest(settings, embedder=embedder)  # `first` is neither live nor previous now
        assert first.is_dir() and (first / "chroma").is_dir()  # the reader's lease kept it
        assert "berths.txt" not in h_panels(kb)()[2]
        assert kb.refresh() and kb.folder == index.current_generation(settings.data_dir)
        assert "Bergen" in kb.ask(MOVED).text
        assert "berths.txt" in h_panels(kb)()[2]  # a page opened now lists the new document
        assert not kb.refresh()  # nothing newer
    ingest(settings, embedder=embedder)  # unchanged, but the next ingest tidies up
    assert not first.exists()


def test_a_question_asked_during_the_switch_is_answered_from_one_generation(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    with KnowledgeBase.open(settings, embedder) as kb:
        assert "Office of Quay Assessments" in kb.ask(QUAY).text
        _move_to(settings, "Tromso")
        ingest(settings, embedder=embedder)
        # The first question after the ingest starts the switch and is answered at once,
        # from whichever generation is open; soon the new one answers.
        assert kb.ask(MOVED).citations is not None
        _wait_for(lambda: "Tromso" in kb.ask(MOVED).text, "the new answer")


def test_an_answer_on_screen_keeps_the_documents_it_quotes(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    with KnowledgeBase.open(settings, embedder) as kb:
        h = Handlers(kb, settings)
        session: Session = list(h.respond(QUAY, Session()))[-1][1]
        _move_to(settings, "Tromso")
        ingest(settings, embedder=embedder)
        assert kb.refresh() and "Quay Assessments" not in kb.documents["guide.md"].text
        [turn] = session.turns
        assert turn.documents is not None
        assert "Office of Quay Assessments" in turn.documents["guide.md"].text
        assert "Office of Quay Assessments" in h.transcript(session)


def test_the_live_app_answers_across_ingests_with_no_failed_request(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    kb = KnowledgeBase.open(settings, embedder)
    outcomes: list[tuple[int, str]] = []
    stop = threading.Event()
    with serve_app(kb, settings) as url, httpx.Client(base_url=url, timeout=120) as client:

        def ask(question: str) -> str:
            reply = client.post("/api/v1/ask", json={"question": question})
            outcomes.append((reply.status_code, reply.text[:200]))
            return str(reply.json().get("answer", ""))

        def hammer() -> None:
            while not stop.is_set():
                ask(QUAY)

        worker = threading.Thread(target=hammer)
        worker.start()
        try:
            for place in ("Tromso", "Bergen", "Oslo"):
                _move_to(settings, place)
                ingest(settings, embedder=embedder)
                _wait_for(lambda: place in ask(MOVED), f"the answer {place}")  # noqa: B023
            health = client.get("/healthz").json()
        finally:
            stop.set()
            worker.join()
    kb.close()
    failed = [o for o in outcomes if o[0] != 200]
    assert failed == [] and len(outcomes) > 6
    assert health["index"] == index.current_generation(settings.data_dir).name  # type: ignore[union-attr]


@pytest.fixture
def paused_writer(make_settings: SettingsFactory, embedder: Embedder,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A first ingest of a changed corpus, paused as it saves its keyword index (the moment a
    second writer once recreated a workspace the first had published)."""
    settings = make_settings(ingest_lock_timeout=0)
    ingest(settings, embedder=embedder)
    _move_to(settings, "Tromso")
    reached, go = threading.Event(), threading.Event()
    save = LexicalIndex.save

    def pausing(self: LexicalIndex, folder: Path) -> None:
        if threading.current_thread().name == "first-writer":
            reached.set()
            go.wait()
        save(self, folder)

    state: dict[str, Any] = {"settings": settings, "go": go}
    monkeypatch.setattr(LexicalIndex, "save", pausing)  # undone after the join below

    def run() -> None:
        state["first"] = ingest(settings, embedder=embedder)

    first = threading.Thread(target=run, name="first-writer")
    first.start()
    try:
        assert reached.wait(300), "the first writer never got to its keyword index"
        yield state
    finally:
        go.set()
        first.join()


def test_a_second_writer_cannot_interleave_with_a_paused_one(
    paused_writer: dict[str, Any], embedder: Embedder
) -> None:
    settings: Settings = paused_writer["settings"]
    [workspace] = [p for p in settings.data_dir.iterdir() if p.name.startswith("tmp-")]
    with pytest.raises(IngestLockedError, match="another ingest is running"):
        ingest(settings, embedder=embedder)
    assert (workspace / "chroma").is_dir()  # the failed writer touched nothing
    waited: dict[str, Any] = {}
    patient = settings.model_copy(update={"ingest_lock_timeout": 600})
    second = threading.Thread(target=lambda: waited.update(r=ingest(patient, embedder=embedder)))
    second.start()
    second.join(timeout=1.0)
    assert second.is_alive() and "r" not in waited  # waiting for the lock, not writing
    paused_writer["go"].set()
    second.join()
    assert paused_writer["go"].is_set()
    live = index.current_generation(settings.data_dir)
    assert live is not None and (live / "chroma").is_dir() and (live / "bm25").is_dir()
    assert waited["r"].up_to_date  # the second writer found the first one's work done
    with KnowledgeBase.open(settings, embedder) as kb:
        assert "Tromso" in kb.ask(MOVED).text
        assert "Office of Quay Assessments" not in kb.ask(QUAY).text


def test_a_writers_workspace_is_never_pruned_while_it_lives(tmp_path: Path) -> None:
    workspace, lease = index.new_workspace(tmp_path)
    (workspace / "bm25").mkdir()
    assert index.prune(tmp_path, keep=None) == [] and workspace.is_dir()
    lease.release()
    assert index.prune(tmp_path, keep=None) == [workspace.name] and not workspace.exists()


def test_a_leased_generation_is_removed_by_a_later_ingest(tmp_path: Path) -> None:
    folder = tmp_path / "gen-20260101T000000-aaaaaa"
    folder.mkdir()
    (folder / index.META).write_text("{}", encoding="utf-8")
    lease = leases.take(folder)
    assert lease is not None
    assert index.prune(tmp_path, keep=None) == [] and folder.is_dir()
    lease.release()
    assert leases.take(tmp_path / "gen-gone") is None
    assert index.prune(tmp_path, keep=None) == [folder.name] and not folder.exists()


def test_leftovers_are_cleaned_by_an_ingest_that_finds_nothing_changed(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    live = index.current_generation(settings.data_dir)
    dead = settings.data_dir / "tmp-20260101T000000-dead00"  # as a killed ingest leaves it
    (dead / "chroma").mkdir(parents=True)
    (dead / "chroma" / "chroma.sqlite3").write_bytes(b"half")
    report = ingest(settings, embedder=embedder)
    assert report.up_to_date and not dead.exists()
    assert index.current_generation(settings.data_dir) == live
