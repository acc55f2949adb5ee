"""The app with a language model: its text streams in as it arrives, marked as being
written and checked; then the checked answer, labelled, with its notices; follow-ups pass
the earlier questions and answers to the model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from app import Handlers, Session
from kb.knowledge import KnowledgeBase
from kb.present.transcript import WRITING, WRITTEN_LABEL
from tests.test_written import MANAGES, OFFICE, Recording, number_of, numbered, reply


@pytest.fixture
def handlers(kb: KnowledgeBase, tmp_path: Any) -> Iterator[Handlers]:
    yield Handlers(kb, kb.settings.model_copy(update={"data_dir": tmp_path}))
    kb.use_llm(None)


def test_the_written_answer_streams_then_shows_checked(kb: KnowledgeBase,
                                                       handlers: Handlers) -> None:
    n = number_of(numbered(kb, MANAGES), OFFICE)
    text = "The Office of Quay Assessments manages the program."
    kb.use_llm(FakeListChatModel(responses=[reply(
        (f"{text} [{n}]", [(n, "Office of Quay Assessments (OQA-7) manages the program")]),
        (f"It has a moon base. [{n}]", [(n, "a moon base")]))]), "fake")
    steps = list(handlers.respond(MANAGES, Session()))
    partials = [s[0] for s in steps[:-1]]
    assert len(partials) > 10 and all("ipskb-streaming" in p for p in partials)
    assert WRITING in partials[0]
    # The model's own text shows as it arrives, before the checks drop what fails.
    assert any("It has a moon base." in p for p in partials)
    transcript, session, box, *_ = steps[-1]
    assert f'<div class="ipskb-label ipskb-written-label">{WRITTEN_LABEL}</div>' in transcript
    assert f"{text} " in transcript and "moon base" not in transcript.split("ipskb-notice")[0]
    assert ('<p class="ipskb-notice">Dropped “It has a moon base.”: its quote is not in the '
            'passage it cites.</p>') in transcript
    assert session.last is not None and session.last.mode == "llm" and box == ""


def test_a_failing_model_shows_the_extractive_answer_and_why(kb: KnowledgeBase,
                                                             handlers: Handlers) -> None:
    kb.use_llm(FakeListChatModel(responses=["x"], error_on_chunk_number=0), "fails")
    transcript, *_ = list(handlers.respond(MANAGES, Session()))[-1]
    assert OFFICE in transcript and 'data-mode="extractive"' in transcript
    assert ('<p class="ipskb-notice">The language model failed: FakeListChatModelError; this '
            'is the extractive answer.</p>') in transcript


def test_a_follow_up_passes_earlier_questions_and_answers(kb: KnowledgeBase,
                                                          handlers: Handlers) -> None:
    model = Recording(messages=iter([json.dumps({"answerable": False, "sentences": []})] * 2))
    kb.use_llm(model, "fake")
    _, session, *_ = list(handlers.respond(MANAGES, Session()))[-1]
    first = session.last
    assert first is not None and first.mode == "abstain"
    list(handlers.respond("and where are its field teams?", session))
    later = model.prompts[1]
    assert ("human", f"<<<EARLIER QUESTION>>>\n{MANAGES}\n<<<END>>>") in later
    assert ("ai", f"<<<EARLIER ANSWER>>>\n{first.text}\n<<<END>>>") in later


def test_the_reply_draft_of_a_written_answer_says_to_read_the_references(
        kb: KnowledgeBase, handlers: Handlers) -> None:
    from kb.present.reply import CHECK_WRITTEN

    n = number_of(numbered(kb, MANAGES), OFFICE)
    kb.use_llm(FakeListChatModel(responses=[reply(
        (f"The Office of Quay Assessments manages the program. [{n}]",
         [(n, "Office of Quay Assessments (OQA-7) manages the program")]))]), "fake")
    _, session, *_ = list(handlers.respond(MANAGES, Session()))[-1]
    draft = handlers.draft(session)["value"]
    assert draft.startswith("Check before sending:\n- A language model wrote these sentences;")
    assert " ".join(draft.split()).count(CHECK_WRITTEN) == 1
    assert "The Office of Quay Assessments manages the program. [1]" in draft
