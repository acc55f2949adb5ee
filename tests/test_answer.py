"""Answering on the planted-fact corpus: extractive, abstention, status, history."""

from __future__ import annotations

import re

import pytest

from kb.answer.rank import rank, wanted_terms
from kb.errors import QuestionError
from kb.knowledge import KnowledgeBase
from kb.models import CANNOT_ANSWER, Answer
from kb.query.parts import split_question

MARKER = re.compile(r"\[(\d+)(?:, (?:excerpt|historical))?\]")


def assert_well_cited(kb: KnowledgeBase, answer: Answer) -> None:
    """Every sentence verbatim from its cited document and inside its quote; every
    citation used; every quote exact source text."""
    assert answer.sentences
    used = {s.citation for s in answer.sentences}
    assert used == {c.n for c in answer.citations}
    for c in answer.citations:
        assert kb.documents[c.source].text[c.start : c.end] == c.quote
    for s in answer.sentences:
        cited = answer.citations[s.citation - 1]
        assert s.text in cited.quote
        assert f"{s.text} [{s.citation}" in answer.text
    paragraphs = answer.text.split("\n\n")
    # A related answer first says, in its own words, what the documents do not state.
    body = paragraphs[1] if answer.mode == "related" else paragraphs[0]
    pieces = [p.strip() for p in MARKER.split(body)[0::2] if p.strip()]
    assert pieces == [s.text for s in answer.sentences]  # nothing but cited sentences


def test_an_faq_answer_is_quoted_and_cited_at_its_question(kb: KnowledgeBase) -> None:
    answer = kb.ask("How do I request a Tern Exchange visit?")
    assert answer.mode == "extractive"
    assert answer.citations[0].location == "How do I request a Tern Exchange visit?"
    assert answer.citations[0].source == "faq.txt" and answer.citations[0].status == "current"
    assert "should be made through the regional liaison officer" in answer.text
    assert_well_cited(kb, answer)


def test_extractive_answer_cites_verbatim_sentences(kb: KnowledgeBase) -> None:
    answer = kb.ask("Which office manages the Quay program?")
    assert answer.mode == "extractive"
    assert answer.sentences[0].text == (
        "The Office of Quay Assessments (OQA-7) manages the program from Halifax."
    )
    assert answer.citations[0].source == "guide.md"
    assert answer.citations[0].location == "Organization"
    assert_well_cited(kb, answer)


def test_pdf_answer_cites_its_page(kb: KnowledgeBase) -> None:
    answer = kb.ask("When do screening drills at partner quays take place?")
    assert "at dawn on Mondays" in answer.text
    cited = [c for c in answer.citations if c.source == "handbook.pdf"]
    assert cited and cited[0].location.endswith(("page 2", "pages 1\u20132"))


def test_excerpt_and_historical_sources_are_marked(kb: KnowledgeBase) -> None:
    answer = kb.ask("When do conditions of entry for vessels from Port Zeta take effect?")
    zeta = [c for c in answer.citations if c.source == "notice.html"]
    assert zeta and zeta[0].status == "excerpt"
    assert f"[{zeta[0].n}, excerpt]" in answer.text
    assert f"Note: [{zeta[0].n}] is from an excerpt" in answer.text
    old = kb.ask("What does the program plan for country visits?")
    assert old.mode == "extractive" and old.citations[0].status == "historical"
    assert "[1, historical]" in old.text and "historical document" in old.text
    assert_well_cited(kb, old)


def test_out_of_scope_question_abstains_and_cites_only_contacts(kb: KnowledgeBase) -> None:
    answer = kb.ask("What is the recipe for a classic French omelette?")
    assert answer.abstained and answer.mode == "abstain"
    assert answer.text.startswith(CANNOT_ANSWER)
    assert [c.source for c in answer.citations] == ["faq.txt"]
    assert "(555) 010-4477" in answer.citations[0].quote and "(555) 010-4477" in answer.text
    # Named by who answers, not by the page it is on, and placed nowhere.
    contact = answer.citations[0]
    assert answer.text == (f"{CANNOT_ANSWER} For help, the documents give this contact: "
                           f"{kb.settings.program_name}, Phone: (555) 010-4477 [1]")
    assert contact.location == ""


def test_unknown_name_is_not_answered_from_lookalike_passages(kb: KnowledgeBase) -> None:
    answer = kb.ask("When do conditions of entry for vessels from Port Omicron take effect?")
    assert answer.mode in ("related", "abstain") and answer.confidence < 0.5
    if answer.mode == "related":
        assert answer.text.startswith("The documents do not mention \u201cOmicron\u201d")
        assert answer.uncovered and "Omicron" in answer.reasons[0]


def test_two_part_question_answers_each_part(kb: KnowledgeBase) -> None:
    question = ("Which office manages the Quay program, and when do conditions of entry for "
                "vessels from Port Zeta take effect?")
    assert len(split_question(question)) == 2
    answer = kb.ask(question)
    assert "Office of Quay Assessments" in answer.text and "March 3, 2031" in answer.text
    assert_well_cited(kb, answer)


def test_part_the_documents_do_not_cover_is_named(kb: KnowledgeBase) -> None:
    answer = kb.ask("Which office manages the Quay program, and what is the FIFA World Cup budget?")
    assert "Office of Quay Assessments" in answer.text
    assert answer.uncovered == ["what is the FIFA World Cup budget?"]
    # Not everything asked is stated: the answer is hedged and opens by saying what is missing.
    assert answer.mode == "related" and answer.confidence < 0.5 and not answer.abstained
    assert answer.text.startswith(answer.reasons[0])
    assert "\u201cwhat is the FIFA World Cup budget?\u201d" in answer.reasons[0]


def test_follow_up_uses_the_earlier_question(kb: KnowledgeBase) -> None:
    first = "How do I request a Tern Exchange visit?"
    plan = kb.plan("and how long does it take?", [first])
    assert plan.follow_up and plan.parts[0].query == f"{first} and how long does it take?"
    answer = kb.ask("and how long does it take?", history=[(first, "…")])
    assert "six weeks" in answer.text


def test_markup_in_a_question_is_text(kb: KnowledgeBase) -> None:
    question = "<b>Which office</b> manages the Quay program?<script>x()</script>"
    answer = kb.ask(question)
    assert answer.question == question
    assert "Office of Quay Assessments" in answer.text


@pytest.mark.parametrize(("question", "said"), [
    ("", "the question is empty"),
    ("   \x00 ", "the question is empty"),
    # Something was typed: the refusal says what was dropped.
    ("<p></p>", "the question holds only markup (HTML tags), no words: type it as plain text"),
    ("<img src=x onerror=alert(1)>", "the question holds only markup (HTML tags), no words: "
     "type it as plain text"),
    ("x" * 5000, "the question is 5000 characters long; the limit is 1000: ask about one "
     "thing at a time"),
])
def test_unaskable_questions_are_refused(kb: KnowledgeBase, question: str, said: str) -> None:
    with pytest.raises(QuestionError) as refused:
        kb.ask(question)
    assert str(refused.value) == said


def test_a_lead_in_brings_its_list_and_editorial_notes_stay_out(kb: KnowledgeBase) -> None:
    answer = kb.ask("Whom must the office consult when carrying out an assessment?")
    assert [s.text for s in answer.sentences] == [
        "In carrying out an assessment, the office shall consult with—",
        # One Markdown paragraph: the items are one sentence.
        "(1) the harbour masters of the partner port; and (2) the operators of pilot boats.",
    ]
    assert_well_cited(kb, answer)


def test_a_how_many_question_needs_a_number_in_the_answer(kb: KnowledgeBase) -> None:
    # "Field teams work from Oslo and Perth." is about field teams, but gives no count.
    answer = kb.ask("How many field teams work from Oslo?")
    assert answer.mode in ("related", "abstain")
    assert answer.abstained or answer.text.startswith("The documents do not give a number for")
    assert kb.ask("How often is each partner port reassessed?").sentences[0].text == (
        "Each partner port is reassessed not less than once every 4 years.")


def test_a_question_naming_a_document_is_answered_from_it(kb: KnowledgeBase) -> None:
    # Asked plainly: the current FAQ first. Naming the brochure: the brochure alone.
    plain = kb.ask("How do I request a visit?")
    assert plain.citations[0].source == "faq.txt"
    answer = kb.ask("How do I request a visit, according to the brochure?")
    assert [s.text for s in answer.sentences] == ["Visit requests go to the Quay Desk in Lisbon."]
    assert_well_cited(kb, answer)
    # An FAQ of another document does not answer a question that names this one.
    assert kb.ask("How do I request a Tern Exchange visit?").citations[0].source == "faq.txt"
    assert kb.ask("How do I request a Tern Exchange visit, according to the brochure?"
                  ).mode == "extractive"


def test_a_question_naming_two_documents_hears_from_each(kb: KnowledgeBase) -> None:
    question = "How do I request a visit? The FAQ and the brochure say different things."
    # The remark qualifies the question; it is not a second question.
    assert split_question(question) == [question]
    [part] = kb.plan(question).parts
    assert part.named == ["faq.txt", "old-brochure.txt"]
    answer = kb.ask(question)
    assert {c.source for c in answer.citations} == {"faq.txt", "old-brochure.txt"}
    assert_well_cited(kb, answer)


def test_a_plainly_asked_kind_of_answer_is_looked_for_below_the_top(kb: KnowledgeBase) -> None:
    # The sentence closest in words says what reassessments cover, not how often they are.
    # Not said about drills and screening, so hedged: beside the sentences closest in words.
    answer = kb.ask("How often do partner port reassessments cover drills and screening?")
    assert answer.mode == "related"
    assert [s.text for s in answer.sentences] == [
        "Partner port reassessments cover drills, screening and access control.",
        "Each partner port is reassessed not less than once every 4 years."]


def test_an_asked_for_web_address_is_a_web_address(kb: KnowledgeBase) -> None:
    answer = kb.ask("What web address does the Quay Desk have for visit requests?")
    assert "Website: www.quaydesk.example.org" in [s.text for s in answer.sentences]


def test_a_sentence_is_read_under_its_heading_and_naming_words_are_not_asked_for(
    kb: KnowledgeBase,
) -> None:
    question = "According to the Old Quay Brochure, how often are assessments held?"
    plan = kb.plan(question)
    [part] = plan.parts
    assert part.named == ["old-brochure.txt"]
    # "Old Quay Brochure" says where to look; an answer need not repeat it.
    assert wanted_terms(part, kb.library.naming) == {"assess", "held"}
    [ev] = kb.gather(plan)
    ranked = rank(part, ev.vector, ev.hits, ev.sentences, ev.vectors, kb.library.lexical,
                  kb.documents, kb.library.naming)
    reassessed = next(s for s in ranked if s.sentence.text.startswith("Each partner port"))
    assert {"assess"} <= reassessed.terms  # from the section heading "Assessments"


def test_a_lead_in_whose_list_cannot_be_quoted_is_no_answer(kb: KnowledgeBase) -> None:
    # The berths are headings, which are never answers; their lead-in alone says nothing.
    answer = kb.ask("Which berths are closed to tankers?")
    assert "The following berths are closed to tankers:" not in [s.text for s in answer.sentences]
