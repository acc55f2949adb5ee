"""The app in a real browser: Debian's chromium driven by Playwright, against the real
server (the REST API with the Gradio app mounted beside it) on the test index."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio.utils import get_upload_folder

from app import STARTERS
from ingest.pipeline import ingest
from kb.index.embedder import Embedder
from kb.knowledge import KnowledgeBase
from kb.present.admin import SIGNED_OUT
from kb.present.answer_view import plain_text
from kb.present.auth import hash_password
from kb.present.reply import CUT
from kb.settings import Settings
from tests.conftest import copy_corpus, serve_app
from tests.gradio_calls import call, fn_index

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("IPSKB_SCREENSHOT_DIR", "test-artifacts"))
QUAY = "Which office manages the Quay program?"
TERN = "How do I request a Tern Exchange visit?"
# Every character an HTML or Markdown layer could eat or turn into markup.
TYPED = ("What's the office's \"Quay\" program & <b>who</b> **manages** it? "
         "[click](javascript:window.__xss=1) <img src=x onerror=\"window.__xss=1\">")
PHONE = (390, 844)  # an iPhone 12-14 screen, in CSS pixels


@pytest.fixture(scope="module")
def url(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = kb.settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("app")})
    with serve_app(kb, settings) as address:
        yield address


@pytest.fixture(scope="module")
def browser(url: str) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make test` installs it")
        pytest.skip("chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield launched
        launched.close()


def _open(browser: Any, url: str, width: int = 1280, height: int = 1400) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(url)
    tab.locator("#transcript .ipskb-empty").wait_for()
    return tab


@pytest.fixture
def page(browser: Any, url: str) -> Iterator[Any]:
    tab = _open(browser, url)
    yield tab
    tab.context.close()


def _ask(page: Any, question: str, enter: bool = False) -> Any:
    """Ask (with the button, or the Enter key); wait for the answer to be complete (its
    copy button comes last); its turn."""
    turns = page.locator("#transcript .ipskb-turn").count()
    page.locator("#question textarea").fill(question)
    if enter:
        page.locator("#question textarea").press("Enter")
    else:
        page.locator("#ask").click()
    turn = page.locator("#transcript .ipskb-turn").nth(turns)
    turn.locator(".ipskb-answer .ipskb-copy").wait_for()
    return turn


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_ask_open_a_citation_draft_and_rate(page: Any) -> None:
    turn = _ask(page, QUAY)
    assert "The Office of Quay Assessments (OQA-7) manages" in turn.locator(".ipskb-answer").inner_text()
    turn.locator("a.ipskb-marker").first.click()
    mark = turn.locator("details.ipskb-cite[open] mark")
    mark.wait_for()
    assert mark.inner_text().startswith("The Office of Quay Assessments (OQA-7) manages")

    page.locator("#draft-reply").click()
    page.wait_for_function(
        "() => document.querySelector('#draft textarea').value.startsWith('Check before')")
    draft = page.locator("#draft textarea").input_value()
    assert f"\n{CUT}\n\nDear colleague,\n" in draft and "(555) 010-4477" in draft

    page.locator("#feedback-reason textarea").fill("want the street address")
    page.locator("#thumbs-down").click()
    page.locator("#feedback-status").get_by_text("Thank you: feedback #").wait_for()
    assert page.locator("#feedback-reason textarea").input_value() == ""
    page.locator("#thumbs-down").click()
    page.locator("#feedback-status").get_by_text("is already saved for this answer").wait_for()
    _shot(page, "app.png")


def test_text_shows_as_typed_and_markup_stays_text(page: Any, kb: KnowledgeBase) -> None:
    page.evaluate("window.__xss = 0")
    turn = _ask(page, TYPED)
    assert turn.locator(".ipskb-q").inner_text() == TYPED
    shown = page.locator("#transcript").inner_text()
    assert "&#x27;" not in shown and "&amp;" not in shown and "\\" not in shown
    assert page.locator("#transcript a[href^='javascript']").count() == 0
    assert page.locator("#transcript img, #transcript b:text('who')").count() == 0
    assert page.evaluate("window.__xss") == 0


def test_a_related_answer_looks_different(page: Any) -> None:
    related = _ask(page, "How many field teams work from Oslo?").locator(".ipskb-answer")
    answer = _ask(page, QUAY).locator(".ipskb-answer")
    assert related.locator(".ipskb-label").inner_text() == (
        "Not a direct answer: the documents do not state what was asked")
    assert answer.locator(".ipskb-label").count() == 0
    style = "e => getComputedStyle(e).borderStyle + ' ' + getComputedStyle(e).backgroundColor"
    assert related.evaluate(style) == "dashed rgb(255, 250, 240)"
    assert answer.evaluate(style) == "solid rgba(0, 0, 0, 0)"
    assert related.locator("xpath=..").locator(".ipskb-sources-h").inner_text() == (
        "Closest passages (not an answer)")


def test_copy_gives_the_answer_as_plain_text(page: Any, kb: KnowledgeBase) -> None:
    turn = _ask(page, QUAY)
    turn.locator(".ipskb-copy").click()
    turn.get_by_text("Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == plain_text(kb.ask(QUAY))


def test_two_answers_each_keep_their_sources(page: Any, kb: KnowledgeBase) -> None:
    first = _ask(page, QUAY)
    second = _ask(page, TERN)
    for turn, question in ((first, QUAY), (second, TERN)):
        titles = turn.locator(".ipskb-sources summary b").all_inner_texts()
        assert titles == [c.title for c in kb.ask(question).citations]
    first.locator("a.ipskb-marker").first.click()
    first.locator("details.ipskb-cite[open]").wait_for()
    assert second.locator("details.ipskb-cite[open]").count() == 0


def test_new_chat_clears_every_panel_and_the_context(page: Any) -> None:
    _ask(page, QUAY)
    page.locator("#draft-reply").click()
    page.wait_for_function("() => document.querySelector('#draft textarea').value !== ''")
    page.locator("#feedback-reason textarea").fill("fine")
    page.locator("#thumbs-up").click()
    page.locator("#feedback-status").get_by_text("Thank you").wait_for()
    page.locator("#question textarea").fill("and where is it based?")
    page.locator("#new-chat").click()
    page.locator("#transcript .ipskb-empty").wait_for()
    assert page.locator("#transcript .ipskb-turn").count() == 0
    assert page.locator("#draft textarea").input_value() == ""
    assert page.locator("#feedback-status").inner_text().strip() == ""
    assert page.locator("#question textarea").input_value() == ""
    turn = _ask(page, "and where is it based?", enter=True)  # no earlier question now
    assert "Halifax" not in turn.inner_text()
    assert turn.locator(".ipskb-abstain").count() == 1


def test_counter_and_an_error_leave_the_answer_on_screen(page: Any) -> None:
    _ask(page, QUAY)
    page.locator("#question textarea").fill("port " * 201)
    counter = page.locator("#question-count")
    counter.get_by_text("1005 / 1000 characters: the limit is 1000").wait_for()
    page.locator("#ask").click()
    page.locator("#transcript .ipskb-error").get_by_text("the limit is 1000").wait_for()
    assert page.locator("#question textarea").input_value() == "port " * 201  # kept to edit
    assert page.locator("#transcript .ipskb-sources").count() == 1
    page.locator("#draft-reply").click()
    page.wait_for_function(
        "() => document.querySelector('#draft textarea').value.includes('OQA-7')")


def test_glossary_shows_the_first_term_picked(page: Any, kb: KnowledgeBase) -> None:
    page.get_by_role("tab", name="Glossary").click()
    page.locator("#glossary-term input").click()
    page.get_by_role("option", name=kb.glossary[0].term, exact=True).click()
    page.locator("#glossary-passage mark").wait_for()


def test_usable_on_a_phone(browser: Any, url: str) -> None:
    tab = _open(browser, url, *PHONE)
    try:
        box = tab.locator("#question textarea").bounding_box()
        assert box["y"] + box["height"] <= PHONE[1]  # on the first screen, starters folded
        starter = tab.get_by_role("button", name=STARTERS["Help desk"][0])
        assert starter.is_hidden()
        tab.locator("#starters > button").click()  # unfolded on request
        starter.wait_for()
        tab.locator("#starters > button").click()
        _ask(tab, QUAY)
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
        _shot(tab, "phone-ask.png")
        tab.get_by_role("tab", name="Sources").click()
        table = tab.locator("#sources-table .ipskb-scroll")
        table.wait_for()
        assert table.evaluate("e => e.scrollWidth > e.clientWidth")  # scrolls, not cut off
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
        _shot(tab, "phone-sources.png")
    finally:
        tab.context.close()


GULL = "Which office runs the Gull Ferry inspections?"
GULL_FACT = ("Gull Ferry Notice\n\nThe Gull Ferry inspections are run by the Office of Ferry "
             "Review (OFR-3) in Tromso.\n")
ADMIN_PASSWORD = "harbour-pilot-42"


@pytest.fixture
def admin_site(tmp_path: Path, embedder: Embedder) -> Iterator[tuple[str, Settings]]:
    """A server of its own with an admin password: the admin test changes its documents."""
    settings = Settings(data_dir=tmp_path / "data", sources_dir=copy_corpus(tmp_path / "src"),
                        admin_password_hash=hash_password(ADMIN_PASSWORD, rounds=4))
    ingest(settings, embedder=embedder)
    with KnowledgeBase.open(settings, embedder) as kb, serve_app(kb, settings) as address:
        yield address, settings


def _upload_status(page: Any) -> int:
    """What the server says to an upload from this page (its cookies go with it)."""
    return int(page.evaluate("""async () => {
        const form = new FormData();
        form.append("files", new Blob(["probe"], {type: "text/plain"}), "probe.txt");
        return (await fetch("/gradio_api/upload", {method: "POST", body: form})).status;
    }"""))


def test_an_admin_adds_a_document_and_it_is_answered_from(
        browser: Any, admin_site: tuple[str, Settings], tmp_path: Path) -> None:
    url, settings = admin_site
    tab = _open(browser, url)
    try:
        tab.get_by_role("tab", name="Admin").click()
        assert _upload_status(tab) == 403  # signed out: no upload reaches the server
        tab.locator("#admin-user input").fill("admin")
        tab.locator("#admin-password input").fill("not the password")
        tab.locator("#admin-sign-in").click()
        tab.locator("#admin-message").get_by_text("wrong name or password").wait_for()
        tab.locator("#admin-password input").fill(ADMIN_PASSWORD)
        tab.locator("#admin-sign-in").click()
        tab.locator("#admin-who").get_by_text("Signed in as admin").wait_for()
        fact = tmp_path / "Gull notice.txt"
        fact.write_text(GULL_FACT, encoding="utf-8")
        tab.locator("#admin-file input[type=file]").set_input_files(str(fact))
        tab.locator("#admin-file").get_by_text("Gull notice.txt").wait_for()
        tab.locator("#admin-title input").fill("Gull Ferry Notice")
        tab.locator("#admin-date input").fill("2031-02-03")
        tab.locator("#admin-url input").fill("https://example.org/gull")
        tab.locator("#admin-upload").click()
        tab.locator("#admin-message").get_by_text(
            "Added uploads/Gull-notice.txt. Re-ingest to answer from it.").wait_for()
        assert not list(Path(get_upload_folder()).rglob("Gull notice.txt"))  # copy removed
        row = tab.locator("#admin-documents tr", has_text="uploads/Gull-notice.txt")
        assert row.inner_text().split("\t") == [
            "uploads/Gull-notice.txt", "Gull Ferry Notice", "2031-02-03", "current", "not yet"]
        _shot(tab, "admin.png")
        tab.locator("#admin-reingest").click()
        tab.locator("#admin-progress").get_by_text(
            re.compile("^Re-ingest (running|done)")).wait_for()
        _shot(tab, "admin-reingest.png")  # running, or done already on a quick machine
        tab.locator("#admin-progress").get_by_text("Re-ingest done").wait_for(timeout=180_000)
        assert "1 added, 0 changed, 0 removed" in tab.locator("#admin-progress").inner_text()
        tab.get_by_role("tab", name="Ask").click()
        turn = _ask(tab, GULL)
        assert "Office of Ferry Review (OFR-3)" in turn.locator(".ipskb-answer").inner_text()
        assert turn.locator(".ipskb-sources summary b").all_inner_texts() == ["Gull Ferry Notice"]

        tab.get_by_role("tab", name="Admin").click()
        tab.locator("#admin-sign-out").click()
        tab.locator("#admin-sign-in").wait_for()
        assert tab.locator("#admin-password input").input_value() == ""  # not kept
        assert tab.locator("#admin-reingest").count() == 0 or tab.locator(
            "#admin-reingest").is_hidden()
        assert _upload_status(tab) == 403  # the page's cookie no longer lets it upload
    finally:
        tab.context.close()
    # Signed out, the actions themselves are refused, called directly as the page would.
    reply = call(url, fn_index(url, "remove"), [None, "faq.txt"])
    assert SIGNED_OUT in str(reply["output"]["data"])
    assert (settings.sources_dir / "faq.txt").is_file()
