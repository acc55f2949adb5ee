"""A written answer in a real browser: the model's text appears while it is written, then
the checked answer with its label and notices."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from kb.knowledge import KnowledgeBase
from kb.present.transcript import WRITTEN_LABEL
from tests.conftest import serve_app
from tests.test_browser import SCREENSHOTS, _open, browser  # noqa: F401  (a fixture)
from tests.test_written import MANAGES, OFFICE, number_of, numbered, reply


@pytest.fixture(scope="module")
def url(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = kb.settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("app")})
    with serve_app(kb, settings) as address:
        yield address
    kb.use_llm(None)


def test_a_written_answer_streams_in_then_shows_checked(kb: KnowledgeBase, url: str,
                                                        browser: Any) -> None:  # noqa: F811
    n = number_of(numbered(kb, MANAGES), OFFICE)
    written = "The program is run by the Office of Quay Assessments from Halifax."
    # A slow fake: one character every 20 ms, so that the page shows the text arriving.
    kb.use_llm(FakeListChatModel(sleep=0.02, responses=[reply(
        (f"{written} [{n}]", [(n, "Office of Quay Assessments (OQA-7) manages the program "
                                  "from Halifax")]),
        (f"It was founded on the Moon. [{n}]", [(n, "founded on the Moon")]))]), "slow")
    page = _open(browser, url)
    try:
        page.locator("#question textarea").fill(MANAGES)
        page.locator("#ask").click()
        streaming = page.locator("#transcript .ipskb-streaming")
        streaming.filter(has_text="The program is run by").wait_for()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "written-streaming.png"))
        assert "Writing an answer" in streaming.inner_text()
        answer = page.locator("#transcript .ipskb-written")
        answer.locator(".ipskb-copy").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "written-answer.png"))
        assert answer.locator(".ipskb-label").inner_text() == WRITTEN_LABEL
        assert answer.locator("p").first.inner_text() == f"{written} [1]"
        assert answer.locator(".ipskb-notice").inner_text() == (
            "Dropped \u201cIt was founded on the Moon.\u201d: its quote is not in the passage "
            "it cites.")
        quote = page.locator("#transcript .ipskb-cite").first
        assert "Office of Quay Assessments (OQA-7) manages the program from Halifax" in (
            quote.text_content() or "")
    finally:
        page.context.close()
