"""Documents added and edited through the admin tab, on their own: the upload checks (type
by content, size, name, nothing outside sources/) and the manifest edits."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest import manifest_edit
from ingest.sources import discover, read_manifest
from ingest.upload import Metadata, UploadError, check_content, safe_name, store_upload
from kb.present.auth import hash_password
from kb.settings import Settings
from tests.conftest import DATA, encrypt_pdf, make_pdf

HASH = hash_password("harbour-pilot-42", rounds=4)  # cheap rounds: the check is the same
FACT = b"Gull Ferry Notice\n\nThe Gull Ferry inspections are run by the Office of Ferry Review.\n"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    import shutil

    sources = tmp_path / "sources"
    shutil.copytree(DATA / "corpus", sources)
    return Settings(data_dir=tmp_path / "data", sources_dir=sources,
                    admin_password_hash=HASH)


def _tree(root: Path) -> dict[str, str]:
    """Every file below `root` by path, with its sha256: what "unchanged" means."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# -- upload checks ---------------------------------------------------------------------------
@pytest.mark.parametrize(("sent", "kept"), [
    ("notice.txt", "notice.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\win.ini.md", "win.ini.md"),
    ("/abs/path/Report 2031 (final).PDF", "Report-2031-final.pdf"),
    (".hidden.txt", "hidden.txt"),
    ("a<script>b.html", "a-script-b.html"),
    ("émigré—notes.md", "emigre-notes.md"),
    ("ﬁle.txt", "file.txt"),  # a ligature, spelt out
    ("x" * 300 + ".txt", "x" * 80 + ".txt"),
])
def test_names_are_sanitised(sent: str, kept: str) -> None:
    assert safe_name(sent) == kept


@pytest.mark.parametrize(("sent", "why"), [
    ("notes", "only .txt"), ("run.exe", "only .txt"), ("manifest.toml", "only .txt"),
    ("....txt", "no letters or digits"), ("README.md", "a name ingest does not read"),
    ("../..", "only .txt"),
])
def test_names_that_cannot_be_kept_are_refused(sent: str, why: str) -> None:
    with pytest.raises(UploadError, match=why):
        safe_name(sent)


def test_the_type_is_judged_by_the_content(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "real.pdf", ["Quay Handbook\nScreening at dawn."]).read_bytes()
    check_content(pdf, ".pdf")
    check_content(FACT, ".txt")
    check_content(b"# Gull\n\nThe **Gull** ferry.\n", ".md")
    check_content(b"<html><body><p>The Gull ferry.</p></body></html>", ".html")
    check_content("The Gull ferry.\n".encode("utf-16"), ".txt")  # a BOM: text, not binary
    refused = {
        (pdf, ".txt"): "a PDF named .txt; name it .pdf",
        (FACT, ".pdf"): "named .pdf but is not a PDF",
        (b"PK\x03\x04" + b"\x00" * 40, ".md"): "a ZIP archive",
        (b"\x7fELF\x02\x01", ".txt"): "a program",
        (b"text\x00\x01\x02 more", ".txt"): "binary data",
        (FACT, ".html"): "named .html but holds no HTML",
        (b"<!DOCTYPE html><html><p>x</p></html>", ".txt"): "an HTML page named .txt",
        (b"   \n", ".txt"): "cannot be read: file is empty",
        (b"%PDF-1.7\nnot really", ".pdf"): "cannot be read",
    }
    for (data, suffix), why in refused.items():
        with pytest.raises(UploadError, match=why):
            check_content(data, suffix)
    locked = encrypt_pdf(tmp_path / "real.pdf", tmp_path / "locked.pdf", "pw")
    with pytest.raises(UploadError, match="cannot be read"):
        check_content(locked.read_bytes(), ".pdf")


@pytest.mark.parametrize(("meta", "why"), [
    (Metadata(""), "give the document a title"),
    (Metadata("Two\nlines"), None),  # whitespace folds to one line
    (Metadata("T", date="2031-02-30"), "not YYYY, YYYY-MM or YYYY-MM-DD"),
    (Metadata("T", date="yesterday"), "not YYYY"),
    (Metadata("T", url="javascript:alert(1)"), "must be a web address"),
    (Metadata("T", url="https://"), "must be a web address"),
    (Metadata("T", status="secret"), "one of current, excerpt, historical"),
])
def test_metadata_is_checked(meta: Metadata, why: str | None) -> None:
    if why is None:
        assert meta.checked().title == "Two lines"
        return
    with pytest.raises(UploadError, match=why):
        meta.checked()


def test_an_upload_lands_in_uploads_with_its_manifest_entry(settings: Settings) -> None:
    meta = Metadata("Gull Ferry Notice", "2031-02", "https://example.org/gull", "excerpt")
    stored = store_upload(settings, "../../Gull notice.txt", FACT, meta)
    assert stored.doc_id == "uploads/Gull-notice.txt"
    assert stored.sha256 == hashlib.sha256(FACT).hexdigest() and stored.size == len(FACT)
    assert (settings.sources_dir / "uploads" / "Gull-notice.txt").read_bytes() == FACT
    entry = read_manifest(settings.sources_dir / "manifest.toml")[stored.doc_id]
    assert entry == ({"title": "Gull Ferry Notice", "date": "2031-02",
                      "url": "https://example.org/gull", "status": "excerpt"}, [])
    assert stored.doc_id in {s.doc_id for s in discover(settings.sources_dir)[0]}
    assert [p.name for p in (settings.sources_dir / "uploads").iterdir()] == ["Gull-notice.txt"]


def test_a_refused_upload_leaves_the_sources_as_they_were(settings: Settings,
                                                          tmp_path: Path) -> None:
    store_upload(settings, "gull.txt", FACT, Metadata("Gull"))
    before = _tree(settings.sources_dir)
    small = settings.model_copy(update={"admin_upload_max_bytes": 1024})
    cases = [
        (settings, "gull.txt", FACT + b"more", "is in the sources already"),
        (settings, "copy.txt", FACT, "same document is in the sources already, as "
                                     "uploads/gull.txt"),
        (small, "big.txt", b"word " * 300, "over the limit of 1,024"),
        (settings, "fake.pdf", FACT, "not a PDF"),
        (settings, "other.txt", b"Other", "give the document a title"),
    ]
    for which, name, data, why in cases:
        with pytest.raises(UploadError, match=why):
            store_upload(which, name, data, Metadata("" if why.startswith("give") else "T"))
    assert _tree(settings.sources_dir) == before
    assert not list(tmp_path.glob("**/*.part"))


def test_nothing_is_written_outside_the_sources(settings: Settings, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("../../outside/a.txt", "/tmp/b.txt", "..%2F..%2Fc.txt", "uploads/../../d.txt"):
        stored = store_upload(settings, name, FACT + name.encode(), Metadata("T"))
        assert stored.doc_id.startswith("uploads/") and stored.doc_id.count("/") == 1
    assert list(outside.iterdir()) == []
    # An uploads folder that is a link (leading out of the sources) is not written through.
    other = Settings(data_dir=tmp_path / "d2", sources_dir=tmp_path / "s2",
                     admin_password_hash=HASH)
    other.sources_dir.mkdir()
    (other.sources_dir / "uploads").symlink_to(outside)
    with pytest.raises(UploadError, match="not a plain folder; nothing was written"):
        store_upload(other, "x.txt", FACT, Metadata("T"))
    assert list(outside.iterdir()) == [] and not (other.sources_dir / "manifest.toml").exists()


@pytest.mark.parametrize("doc_id", ["../secret.txt", "/etc/passwd", "faq.txt/../../x.txt",
                                    "uploads/../../x.txt", ".hidden.txt", "manifest.toml",
                                    "faq.txt\x00.txt", "missing.txt", "", "link.txt",
                                    "sub\\faq.txt", "./faq.txt"])
def test_a_document_outside_or_not_there_is_refused(settings: Settings, tmp_path: Path,
                                                    doc_id: str) -> None:
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (settings.sources_dir / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(manifest_edit.EditError, match="there is no document"):
        manifest_edit.document_path(settings.sources_dir, doc_id)
    with pytest.raises(manifest_edit.EditError):
        manifest_edit.remove_document(settings.sources_dir, doc_id, settings.data_dir)
    assert (tmp_path / "secret.txt").read_text(encoding="utf-8") == "secret"


# -- manifest edits ----------------------------------------------------------------------------
def test_manifest_edits_keep_comments_and_are_read_back(settings: Settings) -> None:
    path = settings.sources_dir / "manifest.toml"
    path.write_text("# Provenance of every document.\n" + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    manifest_edit.set_status(path, "faq.txt", "historical", "unused")
    manifest_edit.set_status(path, "guide.md", "historical", "Quay Program Guide")
    manifest_edit.drop(path, "notice.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Provenance of every document.\n[[document]]\nfile = \"faq.txt\"")
    entries = read_manifest(path)
    assert entries["faq.txt"][0]["status"] == "historical"
    assert entries["faq.txt"][0]["publisher"] == "Harbor Liaison Office"  # the rest kept
    assert entries["guide.md"] == ({"title": "Quay Program Guide", "status": "historical"}, [])
    assert "notice.html" not in entries and "\n\n\n" not in text


def test_a_removed_document_is_kept_outside_the_sources(settings: Settings) -> None:
    data = (settings.sources_dir / "faq.txt").read_bytes()
    kept = manifest_edit.remove_document(settings.sources_dir, "faq.txt", settings.data_dir)
    assert not (settings.sources_dir / "faq.txt").exists() and kept.read_bytes() == data
    assert kept.parent == settings.data_dir / "removed" and kept.name.endswith("-faq.txt")
    assert "faq.txt" not in read_manifest(settings.sources_dir / "manifest.toml")
    entry = read_manifest(kept.with_name(kept.name + ".toml"))  # its entry, to paste back
    assert entry["faq.txt"] == ({"title": "Harbor Liaison Office FAQ",
                                 "publisher": "Harbor Liaison Office",
                                 "url": "https://example.org/faq", "date": "2030-01-05",
                                 "kind": "FAQ web page", "status": "current"}, ["FAQ"])
