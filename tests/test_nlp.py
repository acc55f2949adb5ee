"""The spaCy pipeline: checked before it loads, and a question's parse the same whichever
of its two forms (with or without the entity recogniser) is loaded."""

from __future__ import annotations

from typing import Any

import pytest

from kb.errors import ModelError
from kb.nlp import Pipeline, mentions_in

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


def test_entities_are_found_alike_by_the_recogniser_alone() -> None:
    texts = ["The IPS Program of the U.S. Coast Guard visited Fussa, Japan on 12 April 2019.",
             "Call +1 (202) 372-1234 or write to ips@uscg.mil within 90 days.",
             "Rear Admiral Jane Doe leads the Office of International Port Security "
             "Assessments (CG-PSA-1) in Washington, D.C., with 3 liaison officers."]
    pipeline = Pipeline()
    found = pipeline.mentions(texts)
    nlp = pipeline._load(entities=True)
    with_all = [[(e.label_, e.text) for e in doc.ents]
                for doc in nlp.pipe(texts, disable=["parser", "lemmatizer"])]
    assert found == [mentions_in(t, ents) for t, ents in zip(texts, with_all, strict=True)]
    assert any(m.kind == "date" for m in found[0])


def test_people_named_by_their_role_are_mentions() -> None:
    # "Who should we ask?" is answered by a role as well as by a name.
    found = mentions_in("Requests go through the regional liaison officer or the embassy's "
                        "staff.", [])
    assert [(m.kind, m.text) for m in found] == [("role", "liaison"), ("role", "officer"),
                                                 ("role", "staff")]
    assert mentions_in("The office runs a workshop.", []) == []


def test_laws_cited_by_place_or_name_are_mentions() -> None:
    found = mentions_in("The authority is 46 U.S.C. 70110 and the Harbor Safety Act of 2002; "
                        "the Act applies.", [])
    assert [m.text for m in found if m.kind == "citation"] == [
        "46 U.S.C. 70110", "Harbor Safety Act of 2002"]
