"""The spaCy pipeline: checked before it loads, and a question's parse the same whichever
of its two forms (with or without the entity recogniser) is loaded."""

from __future__ import annotations

from typing import Any

import pytest

from kb.errors import ModelError
from kb.nlp import Pipeline

QUESTIONS = ["Who manages the IPS Program?", "How long does a reciprocal visit last, and who "
             "do I call?", "Give me the e-mail address of the IPSLO in Fussa.", "Is there a fee?",
             "which year did the 2019 notice on conditions of entry take effect"]


def _parse(doc: Any) -> list[tuple[Any, ...]]:
    return [(t.text, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.is_sent_start) for t in doc]


def test_questions_parse_alike_without_and_with_the_entity_recogniser() -> None:
    questions_only = Pipeline()
    parsed = [_parse(questions_only.parse(q)) for q in QUESTIONS]
    assert "ner" not in questions_only._load().pipe_names  # analysis never loads it
    whole = Pipeline()
    assert whole.mentions(["Call the IPS Program on 1 March 2024."]) != [[]]
    assert "ner" in whole._load().pipe_names
    assert [_parse(whole.parse(q)) for q in QUESTIONS] == parsed


def test_a_model_whose_files_differ_is_refused() -> None:
    with pytest.raises(ModelError, match="refusing to load an unverified model"):
        Pipeline(expected_sha256="0" * 64).parse("x")
