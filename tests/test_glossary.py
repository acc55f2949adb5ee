"""Acronym definitions found at ingest, on small in-memory documents and the test index."""

from __future__ import annotations

from ingest.glossary import extract_glossary
from kb.knowledge import KnowledgeBase
from kb.models import Document, GlossaryEntry


def _doc(text: str, doc_id: str = "a.txt", status: str = "current") -> Document:
    return Document(doc_id=doc_id, title="", text=text, content_hash=doc_id, status=status)


def _terms(*docs: Document) -> dict[str, GlossaryEntry]:
    return {e.term: e for e in extract_glossary(docs)}


def _assert_entry(doc: Document, entry: GlossaryEntry, term: str, expansion: str, defining: str) -> None:
    assert (entry.term, entry.expansion, entry.doc_id) == (term, expansion, doc.doc_id)
    assert doc.text[entry.start : entry.end] == defining


def test_schwartz_hearst_finds_the_shortest_long_form() -> None:
    doc = _doc(
        "Sections 70108-70110 of the Maritime Transportation Security Act (MTSA) apply. "
        "The Coast Guard met the International Maritime Organization (IMO) staff."
    )
    found = _terms(doc)
    _assert_entry(doc, found["MTSA"], "MTSA", "Maritime Transportation Security Act",
                  "Maritime Transportation Security Act (MTSA)")
    _assert_entry(doc, found["IMO"], "IMO", "International Maritime Organization",
                  "International Maritime Organization (IMO)")


def test_long_form_does_not_start_with_a_small_word() -> None:
    doc = _doc("It works with the Organization of American States (OAS) and others.")
    _assert_entry(doc, _terms(doc)["OAS"], "OAS", "Organization of American States",
                  "Organization of American States (OAS)")


def test_lowercase_long_form_and_hyphenated_words() -> None:
    doc = _doc(
        "Captains enforce conditions of entry (COE) at ports. "
        "It joined the Inter-American Port Security Training Program (IAPSTP) in 2004."
    )
    found = _terms(doc)
    _assert_entry(doc, found["COE"], "COE", "conditions of entry", "conditions of entry (COE)")
    _assert_entry(doc, found["IAPSTP"], "IAPSTP", "Inter-American Port Security Training Program",
                  "Inter-American Port Security Training Program (IAPSTP)")


def test_fallback_takes_the_capitalised_words_before_the_parenthesis() -> None:
    doc = _doc(
        "The U.S. Coast Guard Headquarters Office of International Port Security "
        "Assessments (CG-PSA-1) is the program manager.\n"
        "Activities Far East (FEACT): FEACT Maritime Security"
    )
    found = _terms(doc)
    _assert_entry(
        doc, found["CG-PSA-1"], "CG-PSA-1",
        "U.S. Coast Guard Headquarters Office of International Port Security Assessments",
        "U.S. Coast Guard Headquarters Office of International Port Security Assessments (CG-PSA-1)",
    )
    _assert_entry(doc, found["FEACT"], "FEACT", "Activities Far East", "Activities Far East (FEACT)")


def test_fallback_of_one_word_is_rejected() -> None:
    doc = _doc("Field work is run by the Atlantic Area office of Operations (LANT-51) staff.")
    assert extract_glossary([doc]) == []


def test_long_form_never_crosses_a_line_break_or_sentence_end() -> None:
    doc = _doc(
        "Port Security Liaison\nOfficer (PSLO) visits. Maritime Transportation. Security Act (SA)."
    )
    found = _terms(doc)
    assert set(found) == {"SA"}
    _assert_entry(doc, found["SA"], "SA", "Security Act", "Security Act (SA)")


def test_things_that_are_not_acronyms_are_skipped() -> None:
    doc = _doc(
        "Measures at ports under subsection (a) and paragraph (1) apply.\n"
        "The Maritime Transportation Security Act of 2002 (2002) was passed.\n"
        "Port Security Advisory (1-17) lists ports.\n"
        "Homeland Security Delegation Part (II) and Delegation No. 0170.1(II) apply.\n"
        "Equatorial Guinea (cont’d) and the Maritime Security Help Desk (toll free)."
    )
    assert extract_glossary([doc]) == []


def test_current_document_definition_wins() -> None:
    old = _doc("The Maritime Security Act of 2002 (MSA) passed.", "a-old.txt", "historical")
    new = _doc("The Maritime Security Act (MSA) applies. Later Main Street Avenue (MSA).", "b-new.txt")
    other = _doc("The Marine Safety Agency (MSA) exists.", "c-other.txt")
    entries = extract_glossary([other, new, old])
    assert len(entries) == 1
    _assert_entry(new, entries[0], "MSA", "Maritime Security Act", "Maritime Security Act (MSA)")


def test_first_definition_wins_without_a_current_document() -> None:
    first = _doc("The Maritime Security Act (MSA) passed.", "a.txt", "excerpt")
    second = _doc("The Marine Safety Agency (MSA) exists.", "b.txt", "historical")
    entries = extract_glossary([second, first])
    _assert_entry(first, entries[0], "MSA", "Maritime Security Act", "Maritime Security Act (MSA)")


def test_entries_are_sorted_by_term_case_insensitively() -> None:
    doc = _doc(
        "Zone Patrol Team (ZPT) met. Customs and Border Protection (CBP) came. "
        "Asia Pacific Economic Cooperation (APEC) too."
    )
    assert [e.term for e in extract_glossary([doc])] == ["APEC", "CBP", "ZPT"]


def test_index_glossary_holds_the_corpus_definitions(kb: KnowledgeBase) -> None:
    found = {e.term: e for e in kb.glossary}
    entry = found["OQA-7"]
    assert (entry.expansion, entry.doc_id) == ("Office of Quay Assessments", "guide.md")
    text = kb.documents["guide.md"].text
    assert text[entry.start : entry.end] == "Office of Quay Assessments (OQA-7)"
