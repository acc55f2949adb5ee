"""The admin tab's parts on their own: the password hash check, the sign-in rate limit and
sessions, the upload checks (type by content, size, name, nothing outside sources/), the
manifest edits and the append-only audit log."""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
from pathlib import Path

import pytest

from ingest import manifest_edit
from ingest.sources import discover, read_manifest
from ingest.upload import Metadata, UploadError, check_content, safe_name, store_upload
from kb.present.audit import AuditError, AuditLog
from kb.present.auth import (
    AdminConfigError,
    AdminError,
    SignIn,
    SignInError,
    check_password,
    hash_password,
)
from kb.present.cli import main
from kb.settings import Settings
from tests.conftest import DATA, encrypt_pdf, make_pdf

PASSWORD = "harbour-pilot-42"
HASH = hash_password(PASSWORD, rounds=4)  # cheap rounds: the check is the same
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


# -- the password hash -----------------------------------------------------------------------
def test_a_password_is_kept_only_as_a_bcrypt_hash() -> None:
    assert HASH.startswith("$2b$04$") and PASSWORD not in HASH
    assert check_password(PASSWORD, HASH)
    assert not check_password(PASSWORD + "x", HASH) and not check_password("", HASH)
    assert not check_password(PASSWORD, "not-a-hash") and not check_password(PASSWORD, "")
    assert not check_password("x" * 73, HASH)  # past bcrypt's 72 bytes: never accepted
    assert hash_password(PASSWORD, rounds=4) != HASH  # salted
    with pytest.raises(AdminError, match="empty"):
        hash_password("  ")
    with pytest.raises(AdminError, match="at most 72"):
        hash_password("é" * 40)


def test_admins_come_from_the_setting_and_the_file(tmp_path: Path) -> None:
    other = hash_password("second-one", rounds=4)
    file = tmp_path / "admins"
    file.write_text(f"# who may sign in\n\nbea:{other}\n", encoding="utf-8")
    both = Settings(admin_password_hash=HASH, admin_password_file=file)
    signin = SignIn(both)
    assert signin.sign_in("admin", PASSWORD, "10.0.0.1").user == "admin"
    assert signin.sign_in("bea", "second-one", "10.0.0.1").user == "bea"
    file.write_text("", encoding="utf-8")  # bea taken out: refused at her next sign-in
    with pytest.raises(SignInError, match="wrong name or password"):
        signin.sign_in("bea", "second-one", "10.0.0.1")
    assert not Settings().admin_enabled and both.admin_enabled


@pytest.mark.parametrize("line", ["bea", "bea:plain-password", ":$2b$04$" + "a" * 53,
                                  "b e a:" + HASH])
def test_a_broken_password_file_stops_the_app(tmp_path: Path, line: str) -> None:
    file = tmp_path / "admins"
    file.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(AdminConfigError, match="line 1: expected name:bcrypt-hash"):
        SignIn(Settings(admin_password_file=file))
    with pytest.raises(AdminConfigError, match="cannot read"):
        SignIn(Settings(admin_password_file=tmp_path / "missing"))
    with pytest.raises(AdminConfigError, match="not a bcrypt hash"):
        SignIn(Settings(admin_password_hash="secret"))


def test_admin_hash_prints_a_hash_that_checks(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["admin-hash", "--stdin", "--user", "bea"]) == 0
    name, _, hashed = capsys.readouterr().out.strip().partition(":")
    assert name == "bea" and check_password(PASSWORD, hashed)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["admin-hash", "--stdin"]) == 1
    assert capsys.readouterr().err == "ipskb: the password is empty\n"


# -- failed sign-ins are rate limited --------------------------------------------------------
def test_failed_sign_ins_are_limited_per_client_and_per_name() -> None:
    now = [0.0]
    limited = Settings(admin_password_hash=HASH, admin_login_failures=3,
                       admin_login_window=600)
    signin = SignIn(limited, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(SignInError, match="wrong name or password"):
            signin.sign_in("admin", "guess", "10.0.0.9")
    # Now even the right password is refused, from that address and for that name.
    with pytest.raises(SignInError, match="too many failed sign-ins; try again in 10 minutes"):
        signin.sign_in("admin", PASSWORD, "10.0.0.9")
    with pytest.raises(SignInError, match="too many"):
        signin.sign_in("admin", PASSWORD, "10.0.0.10")
    for _ in range(3):  # guessing names from one address counts against the address
        with pytest.raises(SignInError):
            signin.sign_in("nobody", "guess", "10.0.0.11")
    with pytest.raises(SignInError, match="too many"):
        signin.sign_in("someone-else", "guess", "10.0.0.11")
    now[0] = 601.0  # the window has passed
    assert signin.sign_in("admin", PASSWORD, "10.0.0.9").user == "admin"


def test_a_session_expires_and_ends_at_sign_out() -> None:
    now = [0.0]
    signin = SignIn(Settings(admin_password_hash=HASH,
                             admin_session_minutes=30), clock=lambda: now[0])
    first = signin.sign_in("admin", PASSWORD, "10.0.0.1")
    second = signin.sign_in("admin", PASSWORD, "10.0.0.1")
    assert first.token != second.token and len(first.token) >= 40
    assert signin.session(first.token) == first and signin.session("forged") is None
    assert signin.session("") is None and signin.session(None) is None
    assert signin.sign_out(first.token) == first and signin.session(first.token) is None
    now[0] = 30 * 60.0
    assert signin.session(second.token) is None


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
