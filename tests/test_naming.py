"""Which documents a question names."""

from __future__ import annotations

from kb.models import Document
from kb.query.naming import DocumentNames, identifiers, words


def _doc(doc_id: str, title: str, aliases: list[str]) -> Document:
    return Document(doc_id=doc_id, title=title, text="", content_hash="x", aliases=aliases)


NAMES = DocumentNames({d.doc_id: d for d in [
    _doc("faq.txt", "Activities Europe FAQ", ["FAQ"]),
    _doc("notice.txt", "Conditions of Entry, Seychelles (84 FR 11992)",
         ["Seychelles notice", "2019 notice"]),
    _doc("civ.txt", "Removal of Conditions, Côte d'Ivoire", ["Cote d'Ivoire notice"]),
    _doc("usc.txt", "46 U.S.C. 70108 - Foreign port assessment", []),
    _doc("psa.txt", "Port Security Advisory (1-17), 31 March 2017", []),
]})


def test_words_fold_accents_and_keep_codes() -> None:
    assert words("Côte d'Ivoire, GAO-23-105385 and 46 U.S.C. 70110(e)") == {
        "cote", "d", "ivoire", "gao-23-105385", "and", "46", "u.s.c", "70110", "e"}


def test_identifiers_are_codes_not_years_or_small_numbers() -> None:
    assert identifiers("Port Security Advisory (1-17), 31 March 2017") == {"1-17"}
    assert identifiers("Seychelles (84 FR 11992)") == {"11992"}


def test_aliases_match_in_any_order_and_titles_by_their_codes() -> None:
    assert NAMES.named_in("What does the 2019 conditions of entry notice say?") == ["notice.txt"]
    assert NAMES.named_in("the Seychelles notice") == ["notice.txt"]
    assert NAMES.named_in("Does the Côte d'Ivoire notice name a contact?") == ["civ.txt"]
    assert NAMES.named_in("Under 46 U.S.C. 70108, how often?") == ["usc.txt"]
    assert NAMES.named_in("In PSA 1-17, which ports?") == ["psa.txt"]
    assert NAMES.named_in("The FAQ and the 2019 notice differ") == ["faq.txt", "notice.txt"]


def test_words_of_an_alias_alone_do_not_name_it() -> None:
    assert NAMES.named_in("Which ports in the Seychelles failed in 2017?") == []
    assert NAMES.named_in("What does the notice say?") == []


STATUTE = Document(doc_id="s.txt", title="33 U.S.C. 90210 - Quay inspections", content_hash="x",
                   text="(a) In General.— The Harbormaster shall inspect quays.\n"
                        "(b) Reports.— Within 30 days under subsection (a)—\n(1) a summary; and\n"
                        "(2) a list of defects.")
ADVISORY = Document(doc_id="a.txt", title="Quay Advisory (2-19)", content_hash="x",
                    text="A. Background:\nQuays were inspected.\nB. Quays Affected:\n"
                         "Actions listed in paragraphs C and D take effect at once.")
SUBDIVIDED = DocumentNames({d.doc_id: d for d in [STATUTE, ADVISORY]})


def test_a_subdivision_the_named_document_lacks_is_reported_as_cited() -> None:
    assert SUBDIVIDED.missing_subdivisions("What does subsection (f) say?", ["s.txt"]) == [
        "subsection (f)"]
    assert SUBDIVIDED.missing_subdivisions("Under 90210(b)(3), what?", ["s.txt"]) == [
        "90210(b)(3)"]


def test_a_lettered_paragraph_is_the_documents_own_only_at_a_lines_start() -> None:
    # The advisory refers to paragraphs C and D but, as kept, holds only A and B.
    assert SUBDIVIDED.missing_subdivisions("What do paragraphs C and D require?", ["a.txt"]) == [
        "paragraphs C and D"]
    assert SUBDIVIDED.missing_subdivisions("What does paragraph B list?", ["a.txt"]) == []


def test_subdivisions_the_documents_have_and_section_numbers_are_not_reported() -> None:
    for question in ("What does subsection (b)(2) require?", "Under 90210(b)(1), what?",
                     "What does section 90210 say?", "Which clause of section 553 applies?"):
        assert SUBDIVIDED.missing_subdivisions(question, ["s.txt"]) == [], question
    # Named no document: any document's subdivisions count.
    assert SUBDIVIDED.missing_subdivisions("What does paragraph (2) say?", []) == []
    assert SUBDIVIDED.missing_subdivisions("What does subsection (c) say?", []) == [
        "subsection (c)"]
