"""A real language model end to end: SmolLM2-135M-Instruct served by llama.cpp on
127.0.0.1, its real text through the real checks. Its answers are weak; what is asserted
is what the checks guarantee whatever it writes: no quote that is not the cited passage's
own text, no citation to a passage it was not given, the extractive answer on failure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from evals.local_llm import SPEC, serving
from kb.answer.parse import parse
from kb.answer.prompt import passages
from kb.answer.written import interleaved
from kb.knowledge import KnowledgeBase
from kb.models import Answer

QUESTIONS = ["Which office manages the Quay program?",
             "How often is each partner port reassessed?"]


@pytest.fixture(scope="module")
def model_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(Path(tmp_path_factory.mktemp("llm")) / "server.log") as url:
        yield url


@pytest.fixture
def real(kb: KnowledgeBase, model_url: str) -> Iterator[KnowledgeBase]:
    before = kb.settings
    kb.use_settings(before.model_copy(update={
        "llm": SPEC, "llm_base_url": model_url, "llm_timeout": 180.0, "llm_passages": 3,
        "llm_max_tokens": 200, "llm_json_mode": "schema"}))
    kb.use_llm(None)
    yield kb
    kb.use_llm(None)
    kb.use_settings(before)


def assert_guarantees(kb: KnowledgeBase, answer: Answer, raw: str) -> None:
    out = answer.to_json()
    assert isinstance(out["notices"], list)
    numbers = {int(n) for n in re.findall(r"\[(\d+)(?:, \w+)?\]", out["answer"])}
    assert numbers <= {c["n"] for c in out["citations"]}  # no marker without its citation
    for c in answer.citations:  # every quote is the document's own text at its offsets
        assert kb.documents[c.source].text[c.start:c.end] == c.quote
    if answer.mode == "llm":
        if answer.language == "en":  # (another language is searched in the model's words)
            given = passages(interleaved(kb.gather(kb.plan(answer.question))), kb.documents, 3)
            spans = [(p.chunk.doc_id, p.chunk.start, p.chunk.end) for p in given]
            for c in answer.citations:  # from a passage the model was given
                assert any(d == c.source and s <= c.start and c.end <= e for d, s, e in spans)
        written = {" ".join(claim.body.split()) for claim in parse(raw).claims}
        assert all(s.text in written for s in answer.sentences)
        assert len(answer.sentences) >= 1
    else:  # it fell back, and says why
        assert answer.mode in ("extractive", "related", "abstain") and out["notices"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_real_model_answers_keep_the_guarantees(real: KnowledgeBase, question: str) -> None:
    seen: list[str] = []
    answer, _ = real.ask_with_documents(question, on_text=seen.append)
    assert seen, "the model's text streams in"
    assert_guarantees(real, answer, seen[-1])


def test_real_model_french_question(real: KnowledgeBase) -> None:
    seen: list[str] = []
    answer, _ = real.ask_with_documents("Quel bureau gère le programme Quay ?",
                                        on_text=seen.append)
    assert answer.language == "fr"
    assert_guarantees(real, answer, seen[-1] if seen else "")


def test_real_model_too_slow_falls_back(real: KnowledgeBase) -> None:
    real.use_settings(real.settings.model_copy(update={"llm_timeout": 0.05}))
    answer = real.ask(QUESTIONS[0])
    assert answer.mode == "extractive"
    assert answer.text == ("The Office of Quay Assessments (OQA-7) manages the program from "
                           "Halifax. [1]")
    assert answer.notices == ["The language model did not finish in time; this is the "
                              "extractive answer."]
