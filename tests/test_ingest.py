"""Incremental ingest against a real Chroma store in a temp dir and the real model."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from evals.killpoints import POINTS, kill_at
from ingest.pipeline import ingest
from kb.errors import IndexMismatchError, IndexMissingError, LoadError
from kb.index import generations as index
from kb.index.embedder import Embedder
from kb.index.store import VectorStore
from kb.knowledge import KnowledgeBase
from kb.settings import Settings

SettingsFactory = Callable[..., Settings]


def _doc_ids(settings: Settings) -> set[str]:
    folder = index.current_generation(settings.data_dir)
    assert folder is not None
    return set(index.read_documents(folder))


def test_first_ingest_indexes_every_good_file(make_settings: SettingsFactory, embedder: Embedder) -> None:
    settings = make_settings()
    report = ingest(settings, embedder=embedder)
    assert sorted(report.added) == ["faq.txt", "guide.md", "handbook.pdf", "notice.html", "old-brochure.txt"]
    assert report.skipped == []
    assert report.embedded > 0 and report.chunks > 0
    with KnowledgeBase.open(settings, embedder) as kb:
        titles = {i.document.doc_id: i.document.title for i in kb.sources()}
        statuses = {i.document.doc_id: i.document.status for i in kb.sources()}
        pdf = kb.documents["handbook.pdf"]
    assert titles["faq.txt"] == "Harbor Liaison Office FAQ"
    assert titles["guide.md"] == "Quay Program Guide"  # no manifest entry: from the file
    assert statuses["old-brochure.txt"] == "historical" and statuses["notice.html"] == "excerpt"
    assert [p for _, p in pdf.pages] == [1, 2]
    assert kb.documents["old-brochure.txt"].aliases == ["brochure"]
    assert kb.documents["guide.md"].aliases == []


def test_manifest_aliases_must_be_a_list_of_strings(make_settings: SettingsFactory) -> None:
    settings = make_settings()
    manifest = settings.sources_dir / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'aliases = ["brochure"]', 'aliases = "brochure"'), encoding="utf-8")
    with pytest.raises(LoadError, match="aliases that is not a list of strings"):
        ingest(settings)


def test_unchanged_reingest_embeds_nothing(make_settings: SettingsFactory, embedder: Embedder) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    before = index.current_generation(settings.data_dir)
    report = ingest(settings, embedder=embedder)
    assert report.up_to_date and report.embedded == 0
    assert index.current_generation(settings.data_dir) == before


def test_changed_added_and_deleted_documents(make_settings: SettingsFactory, embedder: Embedder) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    src = settings.sources_dir
    (src / "guide.md").write_text("# Quay Program Guide\n\nThe Quay office moved to Bergen in 2032.\n")
    (src / "new.txt").write_text("Berth Notes\n\nBerth nine is reserved for pilot boats.\n")
    (src / "notice.html").unlink()
    report = ingest(settings, embedder=embedder)
    assert report.changed == ["guide.md"] and report.added == ["new.txt"]
    assert report.removed == ["notice.html"]
    assert sorted(report.unchanged) == ["faq.txt", "handbook.pdf", "old-brochure.txt"]
    with KnowledgeBase.open(settings, embedder) as kb:
        chunks = kb.store.all_chunks()
        texts = " ".join(c.text for c in chunks)
        assert "Bergen" in texts and "pilot boats" in texts
        assert "Port Zeta" not in texts and "Halifax" not in texts
        assert {c.doc_id for c in chunks} == {"faq.txt", "guide.md", "handbook.pdf", "new.txt",
                                               "old-brochure.txt"}
        assert kb.lexical_hits("Zeta") == []


def test_bad_file_is_skipped_and_the_rest_ingest(make_settings: SettingsFactory, embedder: Embedder) -> None:
    settings = make_settings()
    (settings.sources_dir / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (settings.sources_dir / "copy.txt").write_bytes((settings.sources_dir / "faq.txt").read_bytes())
    report = ingest(settings, embedder=embedder)
    reasons = dict(report.skipped)
    assert "PDF" in reasons["broken.pdf"]
    assert reasons["faq.txt"] == "same content as copy.txt"  # files are read in sorted order
    assert "copy.txt" in report.added and "guide.md" in report.added


def test_crash_mid_ingest_leaves_previous_index_whole(
    make_settings: SettingsFactory, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    live = index.current_generation(settings.data_dir)
    (settings.sources_dir / "guide.md").write_text("# Guide\n\nEverything moved to Tromso.\n")

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(VectorStore, "add_sentences", boom)
    with pytest.raises(KeyboardInterrupt):
        ingest(settings, embedder=embedder)
    monkeypatch.undo()
    assert index.current_generation(settings.data_dir) == live
    assert [p.name for p in settings.data_dir.iterdir() if p.name.startswith("tmp-")] == []
    with KnowledgeBase.open(settings, embedder) as kb:
        answer = kb.ask("Which office manages the Quay program?")
    assert "Office of Quay Assessments" in answer.text
    report = ingest(settings, embedder=embedder)  # the next run finishes the job
    assert report.changed == ["guide.md"]


@pytest.mark.parametrize("point", POINTS)
def test_kill_9_at_any_moment_of_an_ingest_leaves_the_previous_index_whole(
    point: str, make_settings: SettingsFactory, embedder: Embedder, tmp_path: Path
) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    live = index.current_generation(settings.data_dir)
    assert live is not None
    (settings.sources_dir / "guide.md").write_text("# Guide\n\nEverything moved to Tromso.\n")
    env = {**os.environ, "IPSKB_DATA_DIR": str(settings.data_dir),
           "IPSKB_SOURCES_DIR": str(settings.sources_dir)}
    kill_at(point, env, tmp_path / "reached")  # a real `ipskb ingest`, SIGKILLed there
    assert index.current_generation(settings.data_dir) == live
    left = [p.name for p in settings.data_dir.iterdir()
            if p.is_dir() and p not in index.kept(settings.data_dir)]
    # Killed after it began building, the writer left its half-built generation behind.
    assert [name[:4] for name in left] == {"loading": [], "switch": ["gen-"]}.get(point, ["tmp-"])
    with KnowledgeBase.open(settings, embedder) as kb:
        assert "Office of Quay Assessments" in kb.ask("Which office manages the Quay program?").text
    report = ingest(settings, embedder=embedder)  # the next run finishes the job
    assert report.changed == ["guide.md"]
    new = index.current_generation(settings.data_dir)
    assert new is not None and new != live
    # The generation before the live one stays, for a reader who opened it before the switch.
    assert sorted(p.name for p in settings.data_dir.iterdir() if p.is_dir()) == sorted(
        [live.name, new.name])
    with KnowledgeBase.open(settings, embedder) as kb:
        assert "Tromso" in kb.ask("Where did everything move?").text


def test_fingerprint_mismatch_asks_for_rebuild(make_settings: SettingsFactory, embedder: Embedder) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    other = make_settings(chunk_size=600)
    with pytest.raises(IndexMismatchError, match=r"chunk_size: 1000 -> 600.*ingest --rebuild"):
        KnowledgeBase.open(other, embedder)
    report = ingest(other, embedder=embedder)
    assert report.rebuilt and len(report.added) == 5
    KnowledgeBase.open(other, embedder).close()


def test_no_index_yet(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="ipskb ingest"):
        KnowledgeBase.open(Settings(data_dir=tmp_path / "none"))


def test_store_keeps_only_answerable_sentences(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    folder = index.current_generation(settings.data_dir)
    assert folder is not None
    meta = index.read_meta(folder)
    with KnowledgeBase.open(settings, embedder) as kb:
        chunks = kb.store.all_chunks()
        faq = next(c for c in chunks if c.question == "How do I request a Tern Exchange visit?")
        sentences, vectors = kb.store.sentences_of([faq])
        # Body sentences only, in text order, fetched by id with their embeddings.
        assert [s.sentence_id for s in sentences] == [f"{faq.chunk_id}.{j}" for j in range(faq.sentences)]
        assert [s.text for s in sentences] == [
            "Requests for a Tern Exchange visit should be made through the regional liaison officer "
            "or through the embassy in country.",
            "A request takes about six weeks to process.",
        ]
        assert vectors.shape == (faq.sentences, 384)
        stored = kb.store.all_sentences()
        assert "Harbor Liaison Office" not in {s.text for s in stored}  # a heading: never an answer
        # An FAQ's question is never an answer either: its chunk keeps it, no collection does.
        assert "How do I request a Tern Exchange visit?" not in {s.text for s in stored}
        # Contacts are listed at ingest, so that opening a large index reads only them.
        contact = next(c for c in chunks if c.kind == "contact")
        assert meta["contacts"] == [contact.chunk_id]
        assert [c.quote for c in kb.contacts()] == [contact.text]


def test_a_statutes_sentences_are_stated_by_the_section_its_title_cites(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings()
    (settings.sources_dir / "harbor-code.txt").write_text(
        "12 U.S. Code § 101 - Harbor notices\n\n(a) In General.— The harbor authority shall "
        "notify every partner port of its findings.\n", encoding="utf-8")
    ingest(settings, embedder=embedder)
    with KnowledgeBase.open(settings, embedder) as kb:
        [sentence] = [s for s in kb.store.all_sentences() if s.doc_id == "harbor-code.txt"]
    # "Which section requires a notice?" is answered by this sentence, through its title.
    assert ("citation", "12 U.S. Code § 101") in [(m.kind, m.text) for m in sentence.mentions]
