"""The index in a real Chroma server (`chroma run`, started here on a free loopback port):
several knowledge bases, in this process and in another, answer from one index; a crashed
ingest leaves the old generation serving; a finished one switches every reader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from evals.killpoints import kill_at
from evals.load import chroma_server, free_port
from ingest.pipeline import ingest
from kb.errors import IndexServerError, IngestLockedError
from kb.index import claims, shared
from kb.index.embedder import Embedder
from kb.knowledge import KnowledgeBase
from kb.settings import Settings
from tests.conftest import REPO

SettingsFactory = Callable[..., Settings]
QUAY = "Which office manages the Quay program?"
MOVED = "Where did everything move?"
TERN = "How often do partner ports compare security drills in the Tern Exchange?"
CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server of the module's own, in a temp dir (`chroma run`, loopback)."""
    with chroma_server(tmp_path_factory.mktemp("chroma")) as url:
        yield url


@pytest.fixture
def server_settings(make_settings: SettingsFactory, chroma_url: str,
                    request: pytest.FixtureRequest) -> Settings:
    """Settings for an index of the test's own in the shared server (its own prefix)."""
    prefix = "t" + str(abs(hash(request.node.name)))[:10]
    return make_settings(chroma_url=chroma_url, chroma_prefix=prefix)


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "IPSKB_DATA_DIR": str(settings.data_dir),
            "IPSKB_SOURCES_DIR": str(settings.sources_dir),
            "IPSKB_CHROMA_URL": str(settings.chroma_url),
            "IPSKB_CHROMA_PREFIX": settings.chroma_prefix}


def _held(settings: Settings) -> tuple[str | None, str | None, list[str]]:
    """CURRENT, PREVIOUS and every generation the server holds collections of."""
    server = shared.connect(settings)
    try:
        live, previous = shared.pointer(server)
        return live, previous, sorted(shared.generations(server))
    finally:
        server.close()


def test_two_knowledge_bases_and_another_process_answer_from_one_index_in_the_server(
    server_settings: Settings, embedder: Embedder
) -> None:
    report = ingest(server_settings, embedder=embedder)
    assert report.added and report.chunks > 0
    live, previous, held = _held(server_settings)
    assert live is not None and previous is None and held == [live]
    # Nothing of the index is on this machine's disk: every reader finds it in the server.
    assert not list(server_settings.data_dir.glob("gen-*"))
    with KnowledgeBase.open(server_settings, embedder) as a, \
            KnowledgeBase.open(server_settings, embedder) as b:
        assert a.folder.name == b.folder.name == live
        assert "Office of Quay Assessments" in a.ask(QUAY).text
        assert "Office of Quay Assessments" in b.ask(QUAY).text
        assert [s.document.doc_id for s in a.sources()] == [
            s.document.doc_id for s in b.sources()]
        assert a.glossary == b.glossary and a.glossary
    out = subprocess.run([sys.executable, "-m", "kb", "ask", "--json", QUAY],
                         env=_env(server_settings), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "Office of Quay Assessments" in json.loads(out.stdout)["answer"]


def test_a_killed_ingest_leaves_the_old_generation_serving_and_the_next_switches_readers(
    server_settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    whole = ingest(server_settings, embedder=embedder)
    first, _, _ = _held(server_settings)
    assert first is not None
    a = KnowledgeBase.open(server_settings, embedder)
    b = KnowledgeBase.open(server_settings, embedder)
    try:
        (server_settings.sources_dir / "guide.md").write_text(
            "# Guide\n\nEverything moved to Tromso.\n")
        # A real `ipskb ingest`, SIGKILLed after it wrote the new generation's chunks.
        kill_at("chroma-write", _env(server_settings), tmp_path / "reached")
        live, _, held = _held(server_settings)
        assert live == first and len(held) == 2  # the half-built one is left behind
        assert "Office of Quay Assessments" in a.ask(QUAY).text
        assert not a.refresh() and a.folder.name == first
        # The dead writer's lock is not taken over while it looks alive: its claim is
        # renewed for LEASE_S; a silent one is taken over then (here: made silent).
        _silence_writer_lock(server_settings)
        report = ingest(server_settings, embedder=embedder)
        assert report.changed == ["guide.md"]
        second, previous, held = _held(server_settings)
        assert second is not None and previous == first and second != first and held == sorted([first, second])
        assert a.refresh() and b.refresh()
        assert a.folder.name == b.folder.name == second
        assert "Tromso" in a.ask(MOVED).text and "Tromso" in b.ask(MOVED).text
        # Only the changed document was embedded; the others' records were copied over.
        assert 0 < report.embedded < whole.embedded
        assert "twice a year" in b.ask(TERN).text
    finally:
        a.close()
        b.close()


def _silence_writer_lock(settings: Settings) -> None:
    """Make the writer lock a killed ingest left look LEASE_S old."""
    server = shared.connect(settings)
    try:
        lock = server.existing(shared.WRITER)
        assert lock is not None, "the killed writer's lock should still be there"
        meta = dict(lock.metadata)
        lock.modify(metadata={**meta, "renewed": float(meta["renewed"]) - claims.LEASE_S - 1})
    finally:
        server.close()


def test_a_generation_a_reader_holds_outlives_two_ingests_and_goes_with_the_next(
    server_settings: Settings, embedder: Embedder
) -> None:
    ingest(server_settings, embedder=embedder)
    first, _, _ = _held(server_settings)
    guide = server_settings.sources_dir / "guide.md"
    with KnowledgeBase.open(server_settings, embedder) as reader:
        for text in ("Everything moved to Tromso.", "Everything moved to Bergen."):
            guide.write_text(f"# Guide\n\n{text}\n")
            ingest(server_settings, embedder=embedder)
        live, previous, held = _held(server_settings)
        assert first not in (live, previous) and first in held  # the reader's lease keeps it
        assert reader.folder.name == first and reader.store.all_chunks()  # still readable
    guide.write_text("# Guide\n\nEverything moved to Oslo.\n")
    ingest(server_settings, embedder=embedder)
    assert first not in _held(server_settings)[2]


def test_a_reader_whose_generation_was_removed_is_told_to_ask_again_and_opens_the_live_one(
    server_settings: Settings, embedder: Embedder
) -> None:
    ingest(server_settings, embedder=embedder)
    with KnowledgeBase.open(server_settings, embedder) as reader:
        first = reader.folder.name
        (server_settings.sources_dir / "guide.md").write_text(
            "# Guide\n\nEverything moved to Tromso.\n")
        ingest(server_settings, embedder=embedder)
        server = shared.connect(server_settings)
        try:  # as if its lease had expired: its process stopped for over LEASE_S
            shared.remove(server, first, shared.generations(server)[first])
        finally:
            server.close()
        with pytest.raises(IndexServerError, match=f"index generation {first} is gone from"):
            reader.ask(MOVED)
        reader.refresh()  # (already under way in the background since that question)
        assert reader.folder.name == _held(server_settings)[0]
        assert "Tromso" in reader.ask(MOVED).text


def test_one_writer_at_a_time_over_the_server(server_settings: Settings,
                                              embedder: Embedder) -> None:
    server = shared.connect(server_settings)
    try:
        with claims.writer_lock(server, 0), pytest.raises(IngestLockedError) as caught:
            ingest(server_settings, embedder=embedder)
    finally:
        server.close()
    assert "another ingest" in str(caught.value) and str(server_settings.chroma_url) in str(
        caught.value)
    assert _held(server_settings)[0] is None


def test_an_unreachable_server_is_named_with_what_to_do(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings(chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(IndexServerError) as caught:
        KnowledgeBase.open(settings, embedder)
    assert "cannot reach the Chroma server at http://127.0.0.1:" in str(caught.value)
    assert "chroma run" in str(caught.value)
    out = subprocess.run([sys.executable, "-m", "kb", "ask", QUAY], env=_env(settings),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr.startswith("ipskb: cannot reach the Chroma server at http://127.0.0.1:")
    app = subprocess.run([sys.executable, str(REPO / "app.py"), "--port", str(free_port())],
                         env=_env(settings), capture_output=True, text=True, timeout=120)
    assert app.returncode == 1
    assert app.stderr.startswith("ipskb app: cannot reach the Chroma server at http://127.0.0.1:")
    assert "unset IPSKB_CHROMA_URL to use the index on this machine" in app.stderr
    with pytest.raises(IndexServerError, match="must be http://host:port"):
        KnowledgeBase.open(make_settings(chroma_url="127.0.0.1:8000"), embedder)


def test_the_api_says_503_while_the_server_is_down_and_answers_again_after(
    make_settings: SettingsFactory, embedder: Embedder, tmp_path: Path
) -> None:
    import httpx

    from tests.conftest import serve_app

    with chroma_server(tmp_path / "chroma") as url:
        settings = make_settings(chroma_url=url)
        ingest(settings, embedder=embedder)
        kb = KnowledgeBase.open(settings, embedder)
    try:  # the server has stopped; its data stays in tmp_path/chroma
        with serve_app(kb, settings) as base:
            reply = httpx.post(f"{base}/api/v1/ask", json={"question": QUAY}, timeout=60)
            assert reply.status_code == 503
            assert reply.json()["detail"].startswith(
                f"cannot reach the Chroma server at {url}")
            health = httpx.get(f"{base}/healthz", timeout=60)
            assert health.status_code == 503 and "chroma run" in health.json()["detail"]
            with chroma_server(tmp_path / "chroma", port=int(url.rsplit(":", 1)[1])):
                reply = httpx.post(f"{base}/api/v1/ask", json={"question": QUAY}, timeout=60)
                health = httpx.get(f"{base}/healthz", timeout=60)
            assert reply.status_code == 200 and health.status_code == 200
            assert "Office of Quay Assessments" in reply.json()["answer"]
            assert health.json()["index"] == kb.folder.name
    finally:
        kb.close()
