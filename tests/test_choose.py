"""Lists in an answer: a lead-in brings its items, an enumerated clause its lead-in."""

from __future__ import annotations

import numpy as np

from kb.answer.choose import Scored, with_items
from kb.index.lexical import terms
from kb.models import Sentence

TEXT = ("(b) Effective Date.\nAny action under subsection (a) shall take effect\n"
        "(1) 90 days after the harbor authority is notified; or\n"
        "(2) at once, if a condition threatens passengers.\n"
        "Fees are set each year.\n"
        "(3) a clause past the end of the list.")


def sentence(text: str, chunk: str = "k", passage: str = TEXT) -> Scored:
    """`text` as a ranked sentence of `passage` (in the chunk `chunk`)."""
    start = passage.index(text)
    s = Sentence(f"{chunk}{start}", chunk, "d.txt", text, start, start + len(text))
    return Scored(s, np.ones(4, dtype=np.float32), 1.0, terms(text))


LEAD = sentence("Any action under subsection (a) shall take effect")
FIRST = sentence("(1) 90 days after the harbor authority is notified; or")
SECOND = sentence("(2) at once, if a condition threatens passengers.")
FEES = sentence("Fees are set each year.")
STRAY = sentence("(3) a clause past the end of the list.")
RANKED = [SECOND, FIRST, FEES, LEAD, STRAY]


def texts(chosen: list[Scored]) -> list[str]:
    return [s.sentence.text for s in chosen]


def test_a_lead_in_brings_its_items_up_to_the_one_that_ends_the_list() -> None:
    assert texts(with_items([LEAD], RANKED)) == texts([LEAD, FIRST, SECOND])


def test_an_enumerated_clause_brings_the_sentence_opening_its_list_and_so_the_list() -> None:
    # "(2) at once, if …" alone does not say that it is when an action takes effect.
    assert texts(with_items([SECOND], RANKED)) == texts([LEAD, FIRST, SECOND])


def test_a_clause_after_a_sentence_that_ends_the_list_brings_nothing() -> None:
    assert texts(with_items([STRAY], RANKED)) == texts([STRAY])


def test_the_opener_is_looked_for_in_the_clauses_own_passage_only() -> None:
    elsewhere = sentence("(2) at once, if a condition threatens passengers.", chunk="other")
    assert texts(with_items([elsewhere], RANKED)) == texts([elsewhere])


def test_a_sentence_already_chosen_is_not_quoted_twice() -> None:
    assert texts(with_items([FIRST, LEAD, SECOND], RANKED)) == texts([LEAD, FIRST, SECOND])


LABELLED = ("Visits typically include:\nQuay Tours: We walk the quays.\nHarbor Office: We meet "
            "the harbormaster. We share plans.\nDesk Talks: We compare procedures.")


def labelled(text: str) -> Scored:
    return sentence(text, "l", LABELLED)


def test_a_lead_in_brings_labelled_items_however_each_ends() -> None:
    # Each item ends like a sentence; the list goes on while items keep their labels.
    lead, tours, office, share, talks = (labelled(t) for t in (
        "Visits typically include:", "Quay Tours: We walk the quays.",
        "Harbor Office: We meet the harbormaster.", "We share plans.",
        "Desk Talks: We compare procedures."))
    ranked = [talks, share, office, tours, lead]
    assert texts(with_items([lead], ranked)) == texts([lead, tours, office, talks])


NESTED = ("(a) In General.— The harbor authority shall assess the measures maintained at—\n"
          "(1) a partner port—\n(A) served by ferries; or\n(B) visited by cruise ships; and\n"
          "(2) any other port it names.\n"
          "(c) Consultation.— The authority shall consult with—\n(1) the port operators.")


def nested(text: str) -> Scored:
    return sentence(text, "n", NESTED)


def test_a_clause_opening_a_list_of_its_own_is_still_an_item_of_the_list_above_it() -> None:
    general, port, ferries, cruise, other, consult, operators = (nested(t) for t in (
        "(a) In General.— The harbor authority shall assess the measures maintained at—",
        "(1) a partner port—", "(A) served by ferries; or", "(B) visited by cruise ships; and",
        "(2) any other port it names.", "(c) Consultation.— The authority shall consult with—",
        "(1) the port operators."))
    ranked = [port, other, ferries, cruise, general, consult, operators]
    # "(1) a partner port—" continues the sentence above it: it brings that sentence.
    assert texts(with_items([port], ranked)) == texts([general, port, ferries, cruise, other])
    # A subsection that starts as a sentence opens its own list, and needs no other opener.
    assert texts(with_items([consult], ranked)) == texts([consult, operators])


def test_a_sentence_just_before_a_lead_in_brings_it_and_so_its_list() -> None:
    agenda = "Each visit has its own agenda.\nVisits typically include:\nQuay Tours: We walk."
    opening, lead, tours = (sentence(t, "v", agenda) for t in (
        "Each visit has its own agenda.", "Visits typically include:", "Quay Tours: We walk."))
    assert texts(with_items([opening], [tours, opening, lead])) == texts([opening, lead, tours])
