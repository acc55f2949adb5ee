"""The chat app: handlers on the real knowledge base, the layout, and Gradio's API over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app import Handlers, Session, build_app
from kb.knowledge import KnowledgeBase
from kb.present.chat import DRAFT_LABEL, EMPTY_QUESTION
from kb.present.reply import CUT
from kb.settings import Settings

QUAY = "Which office manages the Quay program?"


@pytest.fixture
def handlers(kb: KnowledgeBase, tmp_path: Any) -> Handlers:
    settings = kb.settings.model_copy(update={"data_dir": tmp_path})
    return Handlers(kb, settings)


def _last(gen: Iterator[tuple[Any, ...]]) -> tuple[Any, ...]:
    steps = list(gen)
    assert steps
    return steps[-1]


def _ask(h: Handlers, question: str, session: Session) -> tuple[str, Session]:
    transcript, session, *_ = _last(h.respond(question, session))
    return transcript, session


def test_answer_streams_then_shows_with_its_sources(handlers: Handlers) -> None:
    steps = list(handlers.respond(QUAY, Session()))
    assert len(steps) > 1  # streamed in pieces
    assert 'class="ipskb-answer ipskb-streaming"' in steps[0][0]
    transcript, session, box, status, draft, thanks, reason = steps[-1]
    assert f'<div class="ipskb-q">{QUAY}</div>' in transcript
    assert "The Office of Quay Assessments (OQA-7) manages" in transcript
    assert '<a class="ipskb-marker" href="#ipskb-t1-c1"' in transcript
    assert '<details class="ipskb-cite" id="ipskb-t1-c1"><summary><span class="ipskb-n">[1]</span> <b>Quay Program Guide</b>' in transcript
    assert (box, status, thanks, reason) == ("", "", "", "")
    assert draft == {"__type__": "update", "value": "", "label": DRAFT_LABEL}
    assert [q for q, _ in session.history_turns] == [QUAY]


def test_each_answer_keeps_its_own_sources(handlers: Handlers) -> None:
    _, session = _ask(handlers, QUAY, Session())
    transcript, session = _ask(handlers, "How do I request a Tern Exchange visit?", session)
    first, second = transcript.split('<section class="ipskb-turn" id="ipskb-t2">')
    assert 'id="ipskb-t1-c1"' in first and "Quay Program Guide" in first
    assert 'id="ipskb-t2-c1"' in second and "Harbor Liaison Office FAQ" in second


def test_follow_up_uses_history_and_new_chat_forgets_it(handlers: Handlers) -> None:
    _, session = _ask(handlers, QUAY, Session())
    transcript, _ = _ask(handlers, "and where is it based?", session)
    assert "manages the program from Halifax" in transcript.split('id="ipskb-t2"')[1]
    transcript, session, box, status, draft, thanks, reason = handlers.new_chat()
    assert session.turns == [] and session.history_turns == [] and session.ratings == {}
    assert 'class="ipskb-empty"' in transcript and "ipskb-turn" not in transcript
    assert (box, status, thanks, reason) == ("", "", "", "")
    assert draft["value"] == ""
    transcript, _ = _ask(handlers, "and where is it based?", session)
    assert "Halifax" not in transcript and 'data-mode="abstain"' in transcript


def test_error_and_empty_question_leave_the_answer_and_panels(handlers: Handlers) -> None:
    before, session = _ask(handlers, QUAY, Session())
    transcript, session, box, status, draft, thanks, reason = _last(
        handlers.respond("port " * 400, session))
    assert transcript.startswith(before.removesuffix("</div>"))  # the answer and its sources
    assert "The question is 1999 characters long; the limit is 1000" in transcript
    # The refused question is quoted only in part, so that its error stays in view.
    refused = transcript.split('id="ipskb-t2"')[1]
    assert f'<div class="ipskb-q">{"port " * 40}\u2026</div>' in refused
    assert 'class="ipskb-error" role="alert"' in transcript
    assert all(v == {"__type__": "update"} for v in (box, draft, thanks, reason))
    assert session.last is not None and session.last.question == QUAY
    assert handlers.draft(session)["label"] == f"{DRAFT_LABEL} for \u201c{QUAY}\u201d"

    same, session, box, status, *_ = _last(handlers.respond("   ", session))
    assert same == transcript and status == EMPTY_QUESTION and box == {"__type__": "update"}


def test_related_answer_is_shown_apart(handlers: Handlers) -> None:
    transcript, _ = _ask(handlers, "How many field teams work from Oslo?", Session())
    assert '<div class="ipskb-answer ipskb-related" data-mode="related">' in transcript
    assert ('<p class="ipskb-reason">The documents do not give a number for \u201cHow many '
            'field teams work from Oslo?\u201d.</p>') in transcript


def test_abstention_names_the_contact(handlers: Handlers) -> None:
    transcript, _ = _ask(handlers, "What is the recipe for a classic French omelette?", Session())
    assert 'class="ipskb-answer ipskb-abstain"' in transcript
    assert "do not answer this question" in transcript and "Phone: (555) 010-4477" in transcript
    assert "Where the contact is given" in transcript and transcript.count("<details") == 1


def test_draft_puts_the_check_list_first(handlers: Handlers) -> None:
    assert handlers.draft(Session())["value"].startswith("Ask a question first")
    _, session = _ask(handlers, QUAY, Session())
    draft = handlers.draft(session)["value"]
    assert draft.startswith("Check before sending:\n")
    assert f"\n{CUT}\n\nDear colleague,\n" in draft and "(555) 010-4477" in draft


def test_feedback_is_stored_once_per_answer(handlers: Handlers) -> None:
    assert handlers.rate(1, "", Session()) == ("Ask a question first, then rate its answer.",
                                               {"__type__": "update"})
    _, session = _ask(handlers, QUAY, Session())
    assert handlers.rate(-1, "missing the address", session) == (
        "Thank you: feedback #1 saved.", "")
    assert handlers.rate(-1, "", session) == (
        "Feedback #1 is already saved for this answer.", "")
    assert handlers.rate(1, "", session) == ("Thank you: feedback #1 updated.", "")
    entries = handlers.feedback.entries()
    assert [(e.id, e.rating, e.reason) for e in entries] == [(1, 1, "missing the address")]
    _, session = _ask(handlers, "How do I request a Tern Exchange visit?", session)
    assert handlers.rate(1, "", session) == ("Thank you: feedback #2 saved.", "")


def test_build_app_without_launch(kb: KnowledgeBase) -> None:
    import gradio as gr

    app = build_app(kb, kb.settings)
    assert isinstance(app, gr.Blocks)
    assert "/ask" in {f"/{d.api_name}" for d in app.fns.values() if d.api_name}


def test_gradio_api_over_http(kb: KnowledgeBase, tmp_path: Any) -> None:
    from gradio_client import Client

    settings: Settings = kb.settings.model_copy(update={"data_dir": tmp_path})
    app = build_app(kb, settings)
    app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True,
               share=False, ssr_mode=False, quiet=True)
    try:
        client = Client(app.local_url, verbose=False)
        result = client.predict(QUAY, api_name="/ask")
    finally:
        app.close()
    assert set(result) == {"question", "answer", "abstained", "mode", "confidence",
                           "uncovered", "citations"}
    assert result["mode"] == "extractive" and "Office of Quay Assessments" in result["answer"]
    assert result["citations"][0]["source"] == "guide.md"
