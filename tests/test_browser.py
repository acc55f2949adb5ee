"""The app in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import build_app
from kb.knowledge import KnowledgeBase
from kb.present import render

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("IPSKB_SCREENSHOT_DIR", "test-artifacts"))


@pytest.fixture
def url(kb: KnowledgeBase, tmp_path: Path) -> Iterator[str]:
    settings = kb.settings.model_copy(update={"data_dir": tmp_path})
    app = build_app(kb, settings)
    app.launch(server_name="127.0.0.1", prevent_thread_lock=True, share=False, quiet=True,
               ssr_mode=False, css=render.CSS)
    assert app.local_url is not None
    try:
        yield app.local_url
    finally:
        app.close()


@pytest.fixture
def page(url: str) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make test` installs it")
        pytest.skip("chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 1600})
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        tab.goto(url)
        yield tab
        browser.close()


def _ask(page: Any, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


def test_ask_cite_draft_and_feedback_in_a_browser(page: Any, kb: KnowledgeBase) -> None:
    _ask(page, "Which office manages the Quay program?")
    chat = page.locator("#chat")
    chat.get_by_text("Office of Quay Assessments", exact=False).first.wait_for()
    sources = page.locator("#answer-sources")
    sources.get_by_text("Quay Program Guide").first.wait_for()

    page.locator("#cite-picker label").first.click()
    mark = page.locator("#cite-passage mark")
    mark.wait_for()
    assert mark.inner_text().startswith("The Office of Quay Assessments (OQA-7) manages")

    page.locator("#draft-reply").click()
    draft = page.locator("#draft textarea")
    page.wait_for_function(
        "() => document.querySelector('#draft textarea').value.startsWith('Dear colleague,')")
    assert "(555) 010-4477" in draft.input_value()

    page.locator("#feedback-reason textarea").fill("want the street address")
    page.locator("#thumbs-down").click()
    page.locator("#feedback-status").get_by_text("feedback #1 saved").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "app.png"), full_page=True)


def test_markup_in_a_question_stays_text(page: Any) -> None:
    page.evaluate("window.__xss = 0")
    _ask(page, '<img src=x onerror="window.__xss=1">Which office manages the Quay program?')
    page.locator("#chat").get_by_text("Office of Quay Assessments", exact=False).first.wait_for()
    page.locator("#chat").get_by_text('<img src=x onerror="window.__xss=1">', exact=False).first.wait_for()
    assert page.evaluate("window.__xss") == 0
    assert page.locator("#chat img[src='x']").count() == 0
