"""The chat app: handlers on the real knowledge base, the layout, and the API over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app import Handlers, Session, build_app
from kb.knowledge import KnowledgeBase
from kb.settings import Settings


@pytest.fixture
def handlers(kb: KnowledgeBase, tmp_path: Any) -> Handlers:
    settings = kb.settings.model_copy(update={"data_dir": tmp_path})
    return Handlers(kb, settings)


def _last(gen: Iterator[tuple[Any, ...]]) -> tuple[Any, ...]:
    steps = list(gen)
    assert steps
    return steps[-1]


def test_answer_streams_then_shows_sources(handlers: Handlers) -> None:
    steps = list(handlers.respond("Which office manages the Quay program?", [], Session()))
    assert len(steps) > 1  # streamed in pieces
    chat, sources, picker, _, session = steps[-1]
    assert chat[0] == {"role": "user", "content": "Which office manages the Quay program?"}
    assert "Office of Quay Assessments" in chat[1]["content"]
    assert "Quay Program Guide" in sources
    assert picker["choices"][0].startswith("[1] Quay Program Guide")
    assert session.history == ["Which office manages the Quay program?"]


def test_citation_opens_highlighted_passage(handlers: Handlers) -> None:
    *_, session = _last(handlers.respond("Which office manages the Quay program?", [], Session()))
    choice = __import__("kb.present.render", fromlist=["x"]).citation_choice(session.last.citations[0])
    out = handlers.show_citation(choice, session)
    assert '<mark class="ipskb-mark">The Office of Quay Assessments (OQA-7) manages' in out


def test_follow_up_uses_history(handlers: Handlers) -> None:
    *_, session = _last(handlers.respond("How do I request a Tern Exchange visit?", [], Session()))
    chat, *_ = _last(handlers.respond("and how long does it take?", [], session))
    assert "six weeks" in chat[-1]["content"]


def test_abstention_shows_contact_only(handlers: Handlers) -> None:
    chat, sources, *_ = _last(handlers.respond(
        "What is the recipe for a classic French omelette?", [], Session()))
    assert "do not answer this question" in chat[-1]["content"]
    assert "Who to contact" in sources and "faq.txt" not in sources
    assert sources.count("<li") == 1


def test_markup_in_question_is_shown_as_text(handlers: Handlers) -> None:
    chat, *_ = _last(handlers.respond(
        "<img src=x onerror=alert(1)>Which office manages the Quay program?", [], Session()))
    assert chat[0]["content"].startswith("&lt;img src=x onerror=alert\\(1\\)&gt;")


def test_overlong_question_gets_a_clear_message(handlers: Handlers) -> None:
    chat, *_ = _last(handlers.respond("port " * 400, [], Session()))
    assert "limit is 1000" in chat[-1]["content"]


def test_draft_and_feedback(handlers: Handlers) -> None:
    *_, session = _last(handlers.respond("Which office manages the Quay program?", [], Session()))
    draft = handlers.draft(session)
    assert draft.startswith("Dear colleague,") and "(555) 010-4477" in draft
    assert handlers.rate(-1, "missing the address", session) == "Thank you: feedback #1 saved."
    entries = handlers.feedback.entries()
    assert entries[0].rating == -1 and entries[0].reason == "missing the address"


def test_build_app_without_launch(kb: KnowledgeBase) -> None:
    import gradio as gr

    app = build_app(kb, kb.settings)
    assert isinstance(app, gr.Blocks)
    assert "/ask" in {f"/{d.api_name}" for d in app.fns.values() if d.api_name}


def test_api_over_http(kb: KnowledgeBase, tmp_path: Any) -> None:
    from gradio_client import Client

    settings: Settings = kb.settings.model_copy(update={"data_dir": tmp_path})
    app = build_app(kb, settings)
    app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True,
               share=False, ssr_mode=False, quiet=True)
    try:
        client = Client(app.local_url, verbose=False)
        result = client.predict("Which office manages the Quay program?", api_name="/ask")
    finally:
        app.close()
    assert set(result) == {"question", "answer", "abstained", "mode", "confidence",
                           "uncovered", "citations"}
    assert result["mode"] == "extractive" and "Office of Quay Assessments" in result["answer"]
    assert result["citations"][0]["source"] == "guide.md"
