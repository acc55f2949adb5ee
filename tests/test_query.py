"""Question analysis on its own: kinds of answer, spelling, language, follow-ups, glossary."""

from __future__ import annotations

import pytest

from kb.index.lexical import plain_words
from kb.knowledge import KnowledgeBase


@pytest.mark.parametrize(("question", "kind", "strict"), [
    ("How long does a typical Tern Exchange last?", "duration", True),
    ("How often is each partner port reassessed?", "frequency", True),
    ("How many officers may attend the workshop?", "count", True),
    ("How much does the workshop cost?", "money", True),
    ("When do conditions of entry for Port Zeta take effect?", "date", True),
    ("What is the e-mail address of the Quay Desk?", "email", True),
    ("Which phone number should I call?", "phone", True),
    ("Who is the head of the Office of Quay Assessments?", "person", True),
    # A capitalised title is still a title; a bare name asks for a description.
    ("Who is the current Harbourmaster of Port Zeta?", "person", True),
    ("Who is Juliet Hudson?", "agent", False),
    ("Who manages the Quay program?", "agent", False),
    ("Where is the Quay Desk?", "place", False),
    # Whom the asker should reach: a contact, which a sentence names or does not.
    ("Whom should we ask about a Tern Exchange visit?", "contact", True),
    ("and who do I call for that?", "contact", True),
    ("Who pays for the Tern Exchange when we visit?", "agent", False),
    ("Who is the contact for the Tern Exchange?", "contact", True),
    ("Which section of the harbor code requires a notice?", "citation", True),
    ("What law sets up the Tern Exchange?", "citation", True),
    # Which thing of a kind: its name.
    ("Which countries does the Quay program visit?", "place", True),
    ("What office manages the Quay program?", "organisation", True),
    ("Is there a fee for a Tern Exchange visit?", "money", True),
    ("What is the purpose of the Tern Exchange?", None, False),
    # "What" asked as an object asks for what the verb acts on, not for its subject.
    ("What can a country expect when the Quay Desk visits?", None, False),
    ("whats the email address they give for questions?", "email", True),
    # A "when" that joins a clause does not ask for a date.
    ("Can a ship do anything in port to make things easier when it arrives?", None, False),
])
def test_the_kind_of_answer_comes_from_the_parse(kb: KnowledgeBase, question: str,
                                                  kind: str | None, strict: bool) -> None:
    [part] = kb.plan(question).parts
    assert (part.kind, part.strict) == (kind, strict)


def test_the_focus_leaves_out_words_of_asking_and_of_the_kind(kb: KnowledgeBase) -> None:
    [part] = kb.plan("How long does a typical Tern Exchange last?").parts
    assert [f.word for f in part.focus] == ["tern", "exchange"]
    # Asking to compare: the answer gives each side, not the word "same".
    [part] = kb.plan("Is the workshop the same as the Tern Exchange?").parts
    assert [f.word for f in part.focus] == ["workshop", "tern", "exchange"]


def test_who_asks_is_not_what_is_asked(kb: KnowledgeBase) -> None:
    # A help-desk framing is no part of the question.
    plan = kb.plan("A shipping agent asks: how long does a Tern Exchange last?")
    assert plan.text == "how long does a Tern Exchange last?"
    assert [f.word for f in plan.parts[0].focus] == ["tern", "exchange"]
    # A delegate's introduction says who asks: its words weigh as the asker's own.
    [part] = kb.plan("I work for a harbor authority in Malta. How long does a Tern Exchange "
                     "last?").parts
    assert [(f.word, f.weight) for f in part.focus] == [
        ("work", 0.1), ("harbor", 0.1), ("authority", 0.1), ("malta", 0.1), ("tern", 1.0),
        ("exchange", 1.0)]
    # An introduction may end with a comma; a name in it is who asks, which the documents
    # need not mention, unless the question asks about the asker's own things.
    [part] = kb.plan("We are a delegation from Malta, what will we do on a Tern Exchange?").parts
    assert part.unknown == [] and ("malta", 0.1) in [(f.word, f.weight) for f in part.focus]
    assert kb.plan("We are from Malta, is our harbor on the list?").parts[0].unknown == ["Malta"]
    # A colon after a document's name frames nothing.
    assert kb.plan("Quay Guide: how long does a Tern Exchange last?").text.startswith("Quay")


def test_whom_to_reach_is_asked_with_the_askers_words(kb: KnowledgeBase) -> None:
    # The verb says how the asker reaches the answer, their questions why they ask: the
    # answer is about the workshop.
    [part] = kb.plan("Who do I contact with questions about the workshop?").parts
    assert [(f.word, f.weight) for f in part.focus] == [("contact", 0.1), ("workshop", 1.0)]
    # The program's own name names no one to reach.
    [part] = kb.plan("Whom should we ask about a Tern Exchange visit?").parts
    assert plain_words(kb.settings.program_name) <= part.known_words
    assert not kb.plan("Who runs the workshop?").parts[0].known_words
    # "The contact person": the person is the kind asked for, not what it is about.
    [part] = kb.plan("Who is the contact person for the workshop?").parts
    assert (part.kind, [f.word for f in part.focus]) == ("contact", ["contact", "workshop"])
    answer = kb.ask("Whom should we ask about a Tern Exchange visit?")
    assert answer.mode == "extractive"
    assert answer.text.startswith("Requests for a Tern Exchange visit should be made through "
                                  "the regional liaison officer")


def test_an_acronym_no_document_defines_is_kept_as_written(kb: KnowledgeBase) -> None:
    # A sentence naming what it stands for holds it (see the judge's tests).
    [part] = kb.plan("Does the HLO approve Tern Exchange requests?").parts
    assert (part.focus[0].word, part.focus[0].acronym) == ("hlo", "HLO")


def test_typos_are_repaired_against_the_documents_and_english(kb: KnowledgeBase) -> None:
    plan = kb.plan("how ofen do u run the workshp in Valletta?")
    assert ("ofen", "often") in plan.repairs and ("u", "you") in plan.repairs
    assert ("workshp", "workshop") in plan.repairs
    assert plan.text == "how often do you run the workshop in Valletta?"
    # Each word of a hyphenated one is spelt on its own.
    plan = kb.plan("Is there anti-terorism training?")
    assert plan.repairs == [("terorism", "terrorism")]
    assert plan.text == "Is there anti-terrorism training?"
    # Names and acronyms stay as typed, known or not; "U.S.C." is no "you".
    assert kb.plan("Does OQA-7 follow 46 U.S.C. 70110?").repairs == []
    # The answer says how the question was read, since it quotes it as read.
    notices = kb.ask("how ofen do u run the workshp in Valletta?").notices or []
    assert notices[-1] == ("The question was read with \u201cofen\u201d as \u201coften\u201d, "
                           "\u201cu\u201d as \u201cyou\u201d and \u201cworkshp\u201d as "
                           "\u201cworkshop\u201d.")
    assert kb.ask("Which office manages the Quay program?").notices is None


@pytest.mark.parametrize(("question", "language"), [
    ("Comment demander une visite d'échange Tern ?", "fr"),
    ("¿Cómo solicitamos una visita de intercambio?", "es"),
    ("Como solicitar uma visita de intercâmbio aos portos?", "pt"),
    ("كيف نطلب زيارة متبادلة؟", "ar"),
    ("如何申请互访？", "zh"),
    ("how ofen do u guys come here", "en"),
    ("Tern Exchange?", "en"),
])
def test_the_language_is_detected(kb: KnowledgeBase, question: str, language: str) -> None:
    assert kb.plan(question).language == language


def test_a_question_not_in_english_gets_the_notice_in_its_language(kb: KnowledgeBase) -> None:
    answer = kb.ask("Comment demander une visite d'échange Tern ?")
    assert answer.abstained and answer.language == "fr"
    assert answer.text.startswith("Cet assistant ne répond qu'aux questions en anglais")
    assert "This assistant answers questions in English only" in answer.text
    assert "(555) 010-4477" in answer.text and not answer.sentences


def test_a_follow_up_carries_the_earlier_question_and_its_answer(kb: KnowledgeBase) -> None:
    earlier = ("Is training available?", "The office runs a cargo screening workshop in "
               "Valletta every spring. [1]")
    plan = kb.plan("and how many seats are there?", [earlier])
    assert plan.follow_up and "Valletta" in plan.context
    assert "workshop" in {f.word for f in plan.parts[0].focus}
    assert not kb.plan("How many seats does the Valletta workshop have?", [earlier]).follow_up
    # Who asked the earlier question, and the label of a document's part, are not its subject.
    framed = ("A caller asks: is training available?", "SUMMARY: The office runs a cargo "
              "screening workshop in Valletta every spring. [1]")
    plan = kb.plan("and how many seats are there?", [framed])
    assert plan.context == ("is training available? The office runs a cargo screening "
                            "workshop in Valletta every spring.")


def test_an_acronym_is_spelt_out_from_the_sentence_that_defines_it(kb: KnowledgeBase) -> None:
    entry = kb.glossary[0]
    answer = kb.ask(f"What does {entry.term} stand for?")
    assert answer.mode == "extractive" and answer.confidence == 1.0
    assert answer.text.startswith(f"\u201c{entry.term}\u201d stands for \u201c{entry.expansion}\u201d.")
    [sentence] = answer.sentences
    doc = kb.documents[entry.doc_id]
    assert doc.text[entry.start:entry.end] in sentence.text
    assert answer.citations[0].quote == sentence.text
    # The whole sentence: as ingest splits the document, not cut inside it.
    assert sentence.text in [s.text for s in kb.store.all_sentences() if s.doc_id == doc.doc_id]


def test_focus_words_weigh_by_what_they_say(kb: KnowledgeBase) -> None:
    # Nouns name the subject; a verb is the asker's phrasing of the action; the asker's own
    # things ("our officers") say who asks.
    [part] = kb.plan("When does the office run the workshop for our officers?").parts
    assert [(f.word, f.weight) for f in part.focus] == [
        ("office", 1.0), ("run", 0.4), ("workshop", 1.0), ("officers", 0.1)]
    # The noun a wh-word determines is the answer's category, which the answer seldom repeats.
    [part] = kb.plan("In what circumstance does the office run the workshop?").parts
    assert [(f.word, f.weight) for f in part.focus] == [
        ("circumstance", 0.4), ("office", 1.0), ("run", 0.4), ("workshop", 1.0)]
    # An adverb states a circumstance the answer must hold: it weighs in full.
    [part] = kb.plan("Is the workshop run bilaterally?").parts
    assert [(f.word, f.weight) for f in part.focus] == [
        ("workshop", 1.0), ("run", 0.4), ("bilaterally", 1.0)]
    # A verb the documents never use may still be what is asked: it weighs little.
    [part] = kb.plan("Was the workshop ever cancelled?").parts
    assert [(f.word, f.weight) for f in part.focus] == [("workshop", 1.0), ("cancelled", 0.1)]
    earlier = ("When does the office run the workshop?", "")
    [follow] = kb.plan("and how many seats are there?", [earlier]).parts
    assert {f.word: f.carried for f in follow.focus} == {
        "seats": False, "office": True, "run": True, "workshop": True}


def test_an_faq_question_asked_with_the_askers_circumstances_gets_the_faq_answer(
        kb: KnowledgeBase) -> None:
    answer = kb.ask("Is training available for our officers?")
    assert answer.mode == "extractive"
    assert answer.sentences[0].text == ("The office runs a cargo screening workshop in "
                                        "Valletta every spring.")
    # Worded like the FAQ question, but asking what its answer does not hold.
    assert kb.ask("Is training available for free?").mode in ("related", "abstain")


def test_everyday_words_are_searched_with_the_documents_words_unless_turned_off(
    kb: KnowledgeBase,
) -> None:
    question = "Which harbours does the Quay programme visit?"
    [part] = kb.plan(question).parts
    assert part.query == f"{question} port program"
    base = kb.settings
    kb.use_settings(base.model_copy(update={"question_synonyms": False}))
    try:
        [part] = kb.plan(question).parts
    finally:
        kb.use_settings(base)
    assert part.query == question
