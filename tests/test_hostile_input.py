"""Hostile and awkward input to ingest: links out of the sources folder, a second writer,
text in other encodings, files over the limits. Real files, a real index in a temp dir."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from ingest.pipeline import ingest
from ingest.sources import resolve_inside
from kb.errors import IngestLockedError, LoadError
from kb.index import generations as index
from kb.index.embedder import Embedder
from kb.knowledge import KnowledgeBase
from kb.settings import Settings

SettingsFactory = Callable[..., Settings]
CORPUS = ["faq.txt", "guide.md", "handbook.pdf", "notice.html", "old-brochure.txt"]
SECRET = "root:x:0:0:root:/root:/bin/bash daemon nologin\n"


def _documents_json(settings: Settings) -> str:
    folder = index.current_generation(settings.data_dir)
    assert folder is not None
    return (folder / index.DOCUMENTS).read_text(encoding="utf-8")


def _plant_links(tmp_path: Path, sources: Path) -> Path:
    outside = tmp_path / "beside-sources"
    outside.mkdir()
    (outside / "passwd.txt").write_text(SECRET, encoding="utf-8")
    (sources / "passwd-link.txt").symlink_to(outside / "passwd.txt")
    (sources / "elsewhere").symlink_to(outside, target_is_directory=True)
    (sources / "faq-again.txt").symlink_to("faq.txt")  # relative, inside the folder
    (sources / "notes").mkdir()
    (sources / "notes" / "berths.txt").write_text("Berth Notes\n\nBerth nine is for pilots.\n")
    (sources / "berth-link.txt").symlink_to(sources / "notes" / "berths.txt")
    (sources / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    return outside


def test_links_out_of_the_sources_folder_are_never_read(
    make_settings: SettingsFactory, embedder: Embedder, tmp_path: Path
) -> None:
    settings = make_settings()
    outside = _plant_links(tmp_path, settings.sources_dir)
    report = ingest(settings, embedder=embedder)
    assert sorted(report.added) == sorted([*CORPUS, "notes/berths.txt"])
    assert dict(report.skipped) == {
        "passwd-link.txt": f"links to {outside / 'passwd.txt'}, outside the sources folder; not read",
        "elsewhere": f"links to {outside}, outside the sources folder; not followed",
        "faq-again.txt": "links to faq.txt, which is read once",
        "berth-link.txt": "links to notes/berths.txt, which is read once",
        "dangling.txt": "cannot be resolved (FileNotFoundError)",
    }
    assert "root:x:0:0" not in _documents_json(settings)
    with KnowledgeBase.open(settings, embedder) as kb:
        assert all("root:x" not in c.text for c in kb.store.all_chunks())


def test_a_link_inside_the_folder_is_read_once_under_its_own_name(
    make_settings: SettingsFactory, embedder: Embedder, tmp_path: Path
) -> None:
    settings = make_settings()
    hidden = settings.sources_dir / ".drafts"
    hidden.mkdir()
    (hidden / "tide.txt").write_text("Tide Tables\n\nHigh tide at the quay is at noon.\n")
    (settings.sources_dir / "tide-link.txt").symlink_to(hidden / "tide.txt")
    report = ingest(settings, embedder=embedder)
    assert "tide-link.txt" in report.added and report.skipped == []
    assert json.loads(_documents_json(settings))[-1]["doc_id"] == "tide-link.txt"


def test_every_path_is_checked_the_same_way(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    (sources / "sub").mkdir(parents=True)
    (sources / "sub" / "a.txt").write_text("A text.\n")
    (tmp_path / "secret.txt").write_text(SECRET)
    os.mkfifo(sources / "pipe.txt")
    assert resolve_inside(sources, sources / "sub" / ".." / "sub" / "a.txt") == (
        sources / "sub" / "a.txt").resolve()
    with pytest.raises(LoadError, match="outside the sources folder"):
        resolve_inside(sources, sources / ".." / "secret.txt")
    with pytest.raises(LoadError, match="is not a regular file"):
        resolve_inside(sources, sources / "pipe.txt")
    with pytest.raises(LoadError, match="is not a regular file"):
        resolve_inside(sources, sources / "sub")


def test_text_in_other_encodings_is_read_and_recorded(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings()
    src = settings.sources_dir
    (src / "export.txt").write_bytes(
        "Tern Office Export\n\nThe Tern office in Tromsø opens at dawn.\n".encode("utf-16"))
    (src / "wide.txt").write_bytes(
        "Wide Notes\n\nThe Åland pilot station answers on channel nine.\n".encode("utf-32"))
    (src / "old-page.md").write_bytes(
        "# Caf\u00e9 Notice\n\nThe \u201cquay caf\u00e9\u201d closes at dusk.\n".encode("cp1252"))
    (src / "legacy.txt").write_bytes(
        "Legacy Memo\n\nThe d\u00e9p\u00f4t at Bod\u00f8 holds the spare buoys.\n".encode("latin-1"))
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    report = ingest(settings, embedder=embedder)
    assert report.encodings == {
        "export.txt": "utf-16-le", "wide.txt": "utf-32-le", "old-page.md": "cp1252",
        "legacy.txt": "latin-1", "faq.txt": "utf-8", "guide.md": "utf-8", "handbook.pdf": "",
        "notice.html": "utf-8", "old-brochure.txt": "utf-8",
    }
    assert report.skipped == [("image.txt", "file looks binary (contains NUL bytes)")]
    with KnowledgeBase.open(settings, embedder) as kb:
        docs = kb.documents
    assert docs["export.txt"].text == "Tern Office Export\nThe Tern office in Tromsø opens at dawn."
    assert docs["old-page.md"].text == "Caf\u00e9 Notice\nThe \u201cquay caf\u00e9\u201d closes at dusk."
    assert docs["legacy.txt"].title == "Legacy Memo" and "Bod\u00f8" in docs["legacy.txt"].text
    assert (docs["legacy.txt"].encoding, docs["wide.txt"].encoding) == ("latin-1", "utf-32-le")


def test_files_over_the_limits_are_skipped_with_the_limit_named(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings(max_file_bytes=20_000, max_chunks_per_document=5,
                             max_line_chars=1000)
    src = settings.sources_dir
    (src / "big.txt").write_bytes(b"Big file\n\n" + b"word " * 5000)
    (src / "long.txt").write_text("Long File\n\n" + "A sentence of the long file. " * 500)
    paragraphs = [f"Paragraph {n} says the quay opens. " + "Quay words go on. " * 48
                  for n in range(8)]
    (src / "many.txt").write_text("Many Chunks\n\n" + "\n\n".join(paragraphs) + "\n")
    (src / "one-line.txt").write_text("Berth " + "nine is for pilots, " * 150 + "at last.")
    report = ingest(settings, embedder=embedder)
    assert dict(report.skipped) == {
        "big.txt": "file is 25,010 bytes, over the limit of 20,000 (IPSKB_MAX_FILE_BYTES)",
        "long.txt": "document makes at least 7 chunks, over the limit of 5 "
                    "(IPSKB_MAX_CHUNKS_PER_DOCUMENT)",
        "many.txt": "document makes 8 chunks, over the limit of 5 "
                    "(IPSKB_MAX_CHUNKS_PER_DOCUMENT)",
    }
    assert sorted(report.added) == sorted([*CORPUS, "one-line.txt"])
    with KnowledgeBase.open(settings, embedder) as kb:
        text = kb.documents["one-line.txt"].text
    lines = text.split("\n")
    assert len(lines) == 4 and max(map(len, lines)) <= 1000
    assert " ".join(lines).split() == ("Berth " + "nine is for pilots, " * 150 + "at last.").split()


def test_a_second_ingest_gives_one_clear_error_and_leaves_the_index_whole(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings()
    ingest(settings, embedder=embedder)
    live = index.current_generation(settings.data_dir)
    (settings.sources_dir / "guide.md").write_text("# Guide\n\nEverything moved to Tromso.\n")
    with FileLock(settings.data_dir / index.LOCK):  # another writer holds the lock
        with pytest.raises(IngestLockedError, match=(
                f"^another ingest is running on {settings.data_dir}; try again when it has "
                "finished, or set IPSKB_INGEST_LOCK_TIMEOUT to wait for it$")):
            ingest(settings, embedder=embedder)
        assert index.current_generation(settings.data_dir) == live
        with KnowledgeBase.open(settings, embedder) as kb:  # readers never wait for it
            assert "Office of Quay Assessments" in kb.ask(
                "Which office manages the Quay program?").text
        result = subprocess.run(
            [str(Path(sys.executable).with_name("ipskb")), "ingest"], capture_output=True,
            text=True, timeout=300, check=False,
            env={**os.environ, "IPSKB_DATA_DIR": str(settings.data_dir),
                 "IPSKB_SOURCES_DIR": str(settings.sources_dir)})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"ipskb: another ingest is running on {settings.data_dir}; try again when it has "
        "finished, or set IPSKB_INGEST_LOCK_TIMEOUT to wait for it"]
    assert index.current_generation(settings.data_dir) == live
    assert [p.name for p in settings.data_dir.iterdir() if p.name.startswith("tmp-")] == []


def test_an_ingest_told_to_wait_runs_when_the_other_finishes(
    make_settings: SettingsFactory, embedder: Embedder
) -> None:
    settings = make_settings(ingest_lock_timeout=600)
    settings.data_dir.mkdir(parents=True)
    other = FileLock(settings.data_dir / index.LOCK, thread_local=False)
    other.acquire()
    release = threading.Timer(0.5, other.release)
    release.start()
    report = ingest(settings, embedder=embedder)
    release.join()
    assert sorted(report.added) == CORPUS


def test_a_small_hostile_corpus_ingests_as_planned(tmp_path: Path, embedder: Embedder) -> None:
    """The corpus of evals.hostile, small: every file read or refused with its reason."""
    from evals.hostile import check_outcomes
    from evals.hostile_corpus import SMALL, build

    planted = build(tmp_path, SMALL)
    settings = Settings(data_dir=tmp_path / "data", sources_dir=tmp_path / "sources",
                        max_file_bytes=SMALL.max_file_bytes)
    report = ingest(settings, embedder=embedder)
    outcomes = check_outcomes(planted, dict(report.skipped), set(report.added))
    assert (outcomes.unaccounted, outcomes.wrong) == ([], [])
    assert (outcomes.tried, outcomes.read, outcomes.refused) == (67, 50, 17)
    documents = _documents_json(settings)
    assert "root:x:0:0" not in documents and "hostile-secret-marker" not in documents
    assert report.encodings["hostile/utf16be.txt"] == "utf-16-be"
    assert report.encodings["hostile/cp1252.html"] == "cp1252"


def test_a_long_ingest_logs_how_far_it_has_got(
    make_settings: SettingsFactory, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings()
    with caplog.at_level(logging.INFO, logger="ingest.pipeline"):
        report = ingest(settings, embedder=embedder)
    said = [r.getMessage() for r in caplog.records if r.name == "ingest.pipeline"]
    assert said[:-1] == [
        "reading files: 0 of 5", "read faq.txt (utf-8): 4 chunks", "reading files: 1 of 5",
        "read guide.md (utf-8): 5 chunks", "reading files: 2 of 5",
        "read handbook.pdf (pdf): 1 chunks", "reading files: 3 of 5",
        "read notice.html (utf-8): 1 chunks", "reading files: 4 of 5",
        "read old-brochure.txt (utf-8): 1 chunks",
        "read 5 files: 5 to embed, 0 unchanged, 0 skipped",
        f"embedding: 0 of {report.embedded} texts",
        f"writing {report.chunks} chunks and {report.sentences} sentences to the index",
    ]
    assert said[-1].startswith("published gen-") and said[-1].endswith(
        f": {report.chunks} chunks, {report.sentences} sentences")
