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
