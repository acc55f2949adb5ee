"""The admin tab in the app: absent without a password hash; with one, an admin adds a
document and, after a background re-ingest, it is answered from, while answers come from
the previous index until then; over HTTP a signed-out call to any admin action is refused,
and only a signed-in page may upload."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import build_app
from ingest.pipeline import ingest
from ingest.upload import Metadata
from kb.index.embedder import Embedder
from kb.knowledge import KnowledgeBase
from kb.present.admin import COOKIE, SIGNED_OUT, AdminConsole, NotSignedIn
from kb.present.admin_tab import console_of
from kb.present.audit import AuditError
from kb.present.auth import AdminError, hash_password
from kb.present.server import asgi_app, running
from kb.settings import Settings
from tests.gradio_calls import call, fn_index

PASSWORD = "harbour-pilot-42"
HASH = hash_password(PASSWORD, rounds=4)
GULL = "Which office runs the Gull Ferry inspections?"
FACT = ("Gull Ferry Notice\n\nThe Gull Ferry inspections are run by the Office of Ferry "
        "Review (OFR-3) in Tromso.\n")
ADMIN_EVENTS = ("sign_in", "sign_out", "upload", "mark", "remove", "reingest", "tick")


@pytest.fixture
def admin_kb(make_settings: Callable[..., Settings],
             embedder: Embedder) -> Iterator[KnowledgeBase]:
    """A knowledge base of its own (its sources change), with an admin password set."""
    settings = make_settings(admin_password_hash=HASH)
    ingest(settings, embedder=embedder)
    with KnowledgeBase.open(settings, embedder) as kb:
        yield kb


def _fact_file(tmp_path: Path) -> Path:
    path = tmp_path / "Gull notice.txt"
    path.write_text(FACT, encoding="utf-8")
    return path


def _event_names(app: Any) -> set[str]:
    return {f.name for f in app.fns.values() if f.name}


def _tabs(app: Any) -> list[str]:
    import gradio as gr

    return [str(b.label) for b in app.blocks.values() if isinstance(b, gr.Tab)]


def test_without_a_password_hash_there_is_no_admin_tab(kb: KnowledgeBase) -> None:
    app = build_app(kb, kb.settings)
    assert _tabs(app) == ["Ask", "Glossary", "Sources"]
    assert not _event_names(app) & set(ADMIN_EVENTS) and console_of(app) is None
    with_admin = build_app(kb, kb.settings.model_copy(update={"admin_password_hash": HASH}))
    assert _tabs(with_admin) == ["Ask", "Glossary", "Sources", "Admin"]
    assert set(ADMIN_EVENTS) <= _event_names(with_admin)
    assert isinstance(console_of(with_admin), AdminConsole)


def test_an_added_document_is_answered_after_the_reingest_and_not_before(
        admin_kb: KnowledgeBase, tmp_path: Path) -> None:
    console = AdminConsole(admin_kb, admin_kb.settings)
    token = console.sign_in("admin", PASSWORD, "10.0.0.1").token
    said = console.upload(token, "10.0.0.1", str(_fact_file(tmp_path)), "Gull notice.txt",
                          Metadata("Gull Ferry Notice", "2031-02-03", "https://example.org/g"))
    assert said == "Added uploads/Gull-notice.txt. Re-ingest to answer from it."
    before = admin_kb.folder
    # The re-ingest is held once it embeds, to ask while the new index is being built.
    embedding, go_on = threading.Event(), threading.Event()
    told = console.job._progress

    def held(stage: str, done: int, total: int) -> None:
        told(stage, done, total)
        if stage == "embedding":
            embedding.set()
            go_on.wait(60)

    console.job._progress = held  # type: ignore[method-assign]
    console.reingest(token, "10.0.0.1")
    assert embedding.wait(120)
    status = console.status(token, "10.0.0.1")
    assert status.state == "running" and status.stage == "embedding"
    assert status.describe().startswith("Re-ingest running: embedding passages")
    meanwhile = admin_kb.ask(GULL)
    assert meanwhile.mode != "extractive" and "OFR-3" not in meanwhile.text
    assert admin_kb.folder == before
    # The sources are not changed under a running re-ingest, nor a second one started.
    with pytest.raises(AdminError, match="A re-ingest is running"):
        console.remove(token, "10.0.0.1", "faq.txt")
    with pytest.raises(AdminError, match="A re-ingest is running"):
        console.reingest(token, "10.0.0.1")
    go_on.set()
    done = console.job.wait(120)
    assert done.state == "done" and "1 added, 0 changed, 0 removed" in done.message
    assert admin_kb.folder != before  # switched without a restart
    answer = admin_kb.ask(GULL)
    assert answer.mode == "extractive" and "Office of Ferry Review (OFR-3)" in answer.text
    assert [c.title for c in answer.citations] == ["Gull Ferry Notice"]
    digest = hashlib.sha256(FACT.encode()).hexdigest()
    assert [(e.who, e.action, e.outcome, e.document, e.sha256)
            for e in console.audit.entries()] == [
        ("admin", "sign-in", "done", "", ""),
        ("admin", "upload", "done", "uploads/Gull-notice.txt", digest),
        ("admin", "reingest", "started", "", ""),
        ("admin", "remove", "refused", "faq.txt", ""),
        ("admin", "reingest", "refused", "", ""),
        ("admin", "reingest", "done", "", ""),
    ]


def test_a_reingest_that_fails_midway_leaves_the_previous_index_answering(
        admin_kb: KnowledgeBase, tmp_path: Path) -> None:
    console = AdminConsole(admin_kb, admin_kb.settings)
    token = console.sign_in("admin", PASSWORD, "").token
    console.upload(token, "", str(_fact_file(tmp_path)), "gull.txt", Metadata("Gull Ferry"))
    before, told = admin_kb.folder, console.job._progress

    def failing(stage: str, done: int, total: int) -> None:
        told(stage, done, total)
        if stage == "embedding":
            raise OSError(28, "No space left on device")

    console.job._progress = failing  # type: ignore[method-assign]
    console.reingest(token, "")
    failed = console.job.wait(120)
    assert failed.state == "failed" and failed.message == (
        "Re-ingest failed (OSError; see the server log). Answers still come from the "
        "previous index.")
    assert admin_kb.folder == before and "OFR-3" not in admin_kb.ask(GULL).text
    assert not list(admin_kb.settings.data_dir.glob("tmp-*"))  # its workspace is gone
    assert console.audit.entries()[-1].outcome == "failed"
    console.job._progress = told  # type: ignore[method-assign]
    console.reingest(token, "")
    assert console.job.wait(120).state == "done" and "OFR-3" in admin_kb.ask(GULL).text


def test_marked_historical_and_removed_documents_after_the_reingest(
        admin_kb: KnowledgeBase) -> None:
    console = AdminConsole(admin_kb, admin_kb.settings)
    token = console.sign_in("admin", PASSWORD, "10.0.0.1").token
    assert console.mark_historical(token, "", "guide.md") == (
        "guide.md is marked historical. Re-ingest to answer with it so.")
    console.remove(token, "", "notice.html")
    rows = {r.doc_id: r for r in console.documents(token, "")}
    assert rows["guide.md"].status == "historical" and "notice.html" not in rows
    console.reingest(token, "")
    assert "0 added, 0 changed, 1 removed" in console.job.wait(120).message
    assert admin_kb.documents["guide.md"].status == "historical"
    assert "notice.html" not in admin_kb.documents
    answer = admin_kb.ask("Which office manages the Quay program?")
    assert [c.status for c in answer.citations if c.title == "Quay Program Guide"] == [
        "historical"]
    console.sign_out(token, "")
    with pytest.raises(NotSignedIn):
        console.remove(token, "", "faq.txt")
    assert (admin_kb.settings.sources_dir / "faq.txt").is_file()
    assert console.audit.entries()[-1].outcome == "refused"


@pytest.fixture
def served(admin_kb: KnowledgeBase) -> Iterator[tuple[str, AdminConsole]]:
    settings = admin_kb.settings.model_copy(update={"admin_login_failures": 2})
    app = build_app(admin_kb, settings)
    console = console_of(app)
    assert console is not None
    with running(asgi_app(admin_kb, settings, app)) as url:
        yield url, console


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _output(reply: dict[str, Any]) -> str:
    return " ".join(str(x) for x in reply["output"]["data"] if isinstance(x, str))


def test_signed_out_calls_to_the_admin_actions_are_refused_over_http(
        served: tuple[str, AdminConsole]) -> None:
    url, console = served
    sources = console.sources_dir
    before = _tree(sources)
    refused: dict[str, list[Any]] = {"upload": [None, None, "T", "", "", "current"], "mark": [None, "faq.txt"],
               "remove": [None, "faq.txt"], "reingest": [None]}
    for name, data in refused.items():
        reply = call(url, fn_index(url, name), data)
        assert SIGNED_OUT in _output(reply), name
    tick = call(url, fn_index(url, "tick"), [None])
    assert "Re-ingest" not in _output(tick)  # no status for a signed-out page
    assert _tree(sources) == before and not console.job.running
    assert [(e.who, e.action, e.outcome) for e in console.audit.entries()] == [
        ("", "upload", "refused"), ("", "mark-historical", "refused"),
        ("", "remove", "refused"), ("", "reingest", "refused")]


def test_a_session_signed_in_over_http_may_act_and_no_other(
        served: tuple[str, AdminConsole]) -> None:
    url, console = served
    mine, other = "session-mine", "session-other"
    sign_in = fn_index(url, "sign_in")
    wrong = call(url, sign_in, ["admin", "wrong"], session=mine)
    assert "wrong name or password" in _output(wrong)
    right = call(url, sign_in, ["admin", PASSWORD], session=mine)
    token = right["output"]["data"][1]  # the cookie's copy of the session token
    assert console.signin.session(token) is not None
    assert "is removed" in _output(call(url, fn_index(url, "remove"), [None, "faq.txt"],
                                        session=mine))
    assert SIGNED_OUT in _output(call(url, fn_index(url, "remove"), [None, "guide.md"],
                                      session=other))
    assert (console.sources_dir / "guide.md").is_file()
    for _ in range(2):  # the limit is 2 failures: now even the password is refused
        call(url, sign_in, ["admin", "guess"], session=other)
    assert "too many failed sign-ins" in _output(call(url, sign_in, ["admin", PASSWORD],
                                                      session=other))
    console.sign_out(token, "")  # as when the session expires: that page shows sign-in again
    gone = call(url, fn_index(url, "remove"), [None, "guide.md"], session=mine)
    assert SIGNED_OUT in _output(gone) and (console.sources_dir / "guide.md").is_file()
    assert [{k: v for k, v in u.items() if k == "visible"} for u in gone["output"]["data"][-2:]
            ] == [{"visible": True}, {"visible": False}]


def test_only_a_signed_in_page_may_upload(served: tuple[str, AdminConsole]) -> None:
    url, console = served
    token = console.sign_in("admin", PASSWORD, "127.0.0.1").token
    files = {"files": ("gull.txt", FACT.encode(), "text/plain")}
    with httpx.Client(base_url=url, timeout=60) as client:
        for cookie in ("", f"{COOKIE}=forged-token", f"{COOKIE}={token}x"):
            reply = client.post("/gradio_api/upload", files=files, headers={"Cookie": cookie})
            assert reply.status_code == 403 and reply.json()["detail"] == (
                "this server accepts no uploads")
        ok = client.post("/gradio_api/upload", files=files,
                         headers={"Cookie": f"{COOKIE}={token}"})
        assert ok.status_code == 200 and ok.json()[0].endswith("gull.txt")
        # Only Gradio's upload route: a form posted anywhere else is still refused.
        other = client.post("/api/v1/ask", files=files, headers={"Cookie": f"{COOKIE}={token}"})
        assert other.status_code == 403
        big = client.post("/gradio_api/upload", headers={"Cookie": f"{COOKIE}={token}"},
                          files={"files": ("big.txt", b"x" * (11 * 1024 * 1024), "text/plain")})
        assert big.status_code == 413
        console.sign_out(token, "")
        after = client.post("/gradio_api/upload", files=files,
                            headers={"Cookie": f"{COOKIE}={token}"})
        assert after.status_code == 403


def test_no_change_is_made_while_the_audit_log_cannot_be_written(
        admin_kb: KnowledgeBase, tmp_path: Path) -> None:
    console = AdminConsole(admin_kb, admin_kb.settings)
    token = console.sign_in("admin", PASSWORD, "10.0.0.1").token
    sources = admin_kb.settings.sources_dir
    before = _tree(sources)
    console.audit.path.unlink()
    console.audit.path.mkdir()  # the log's place taken: it cannot be opened
    with pytest.raises(AuditError, match="nothing was done"):
        console.upload(token, "", str(_fact_file(tmp_path)), "gull.txt", Metadata("Gull"))
    with pytest.raises(AuditError, match="nothing was done"):
        console.remove(token, "", "faq.txt")
    with pytest.raises(AuditError, match="nothing was done"):
        console.reingest(token, "")
    assert _tree(sources) == before and not console.job.running


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("IPSKB_ADMIN_PASSWORD_HASH", "plain-password", "IPSKB_ADMIN_PASSWORD_HASH is not a bcrypt "
                                                   "hash; make one with `ipskb admin-hash`"),
    ("IPSKB_ADMIN_PASSWORD_FILE", "/nonexistent/admins", "cannot read the admin password file "
                                                        "/nonexistent/admins: No such file"),
])
def test_the_app_stops_at_start_on_a_broken_admin_setting(
        kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        variable: str, value: str, said: str) -> None:
    import app

    monkeypatch.setenv("IPSKB_DATA_DIR", str(kb.settings.data_dir))
    monkeypatch.setenv(variable, value)
    assert app.main(["--port", "1"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"ipskb app: {said}")
