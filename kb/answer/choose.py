"""Choosing an answer's sentences from a ranking: the best, those that add what the question
asks, each named document's best, and the list a lead-in introduces."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kb.index.lexical import LexicalIndex, terms
from kb.models import Sentence
from kb.rules import ENDS_SENTENCE, ENUMERATED, FIRST_ITEM, LABELLED_ITEM, LEAD_IN, MAX_ITEMS

if TYPE_CHECKING:
    from numpy.typing import NDArray

DUPLICATE_COSINE = 0.92  # two sentences this close say the same thing
KEEP_RATIO = 0.7  # a sentence joins the answer if it scores this share of the best one
FULL_RATIO = 0.9  # ... or this share, once the chosen sentences hold every word asked about
W_NEW_TERMS = 0.3  # bonus for covering words of the question no chosen sentence covers
NAMED_FLOOR = 0.5  # a question naming two documents hears from each, at this share of the best


@dataclass
class Scored:
    """A sentence as ranked for one question."""

    sentence: Sentence
    vector: NDArray[np.float32]
    score: float
    terms: set[str]  # its words, with its passage's heading and FAQ question
    aside: bool = False  # from a statute's editorial notes: an answer only if nothing is better
    in_faq: bool = False  # from an FAQ's answer
    lead_in: Scored | None = None  # a list entry's lead-in, quoted before it


def select(
    ranked: list[Scored], wanted: set[str], limit: int, lexical: LexicalIndex,
    named: Sequence[str] = (),
) -> list[Scored]:
    """Greedy: the best sentence, then those close to it that add most of what the question
    asks (`wanted`) and the chosen ones do not yet say; then, when the question names
    several documents ("the FAQ and the brochure differ"), each one's best."""
    floor = KEEP_RATIO * ranked[0].score
    chosen = [ranked[0]]
    covered = wanted & ranked[0].terms
    while len(chosen) < limit:
        best: tuple[float, Scored] | None = None
        for cand in ranked:
            if cand.score < floor:
                break
            if cand in chosen or cand.aside or any(
                float(cand.vector @ c.vector) > DUPLICATE_COSINE for c in chosen
            ):
                continue
            if not wanted - covered and cand.score < FULL_RATIO * ranked[0].score:
                continue  # the question's words are all answered: only near-equals join
            gain = lexical.coverage(wanted - covered, cand.terms - covered)
            missing = 1 - lexical.coverage(wanted, covered)
            value = cand.score + W_NEW_TERMS * gain * missing
            if best is None or value > best[0]:
                best = (value, cand)
        if best is None:
            break
        chosen.append(best[1])
        covered |= wanted & best[1].terms
    return each_named(chosen, ranked, named)


def each_named(chosen: list[Scored], ranked: list[Scored], named: Sequence[str]) -> list[Scored]:
    """`chosen`, plus the best sentence of each of two or more named documents that has
    none, when it scores at least `NAMED_FLOOR` of the best."""
    if len(named) < 2:
        return chosen
    out = list(chosen)
    for doc_id in named:
        if any(c.sentence.doc_id == doc_id for c in out):
            continue
        best = next((s for s in ranked if s.sentence.doc_id == doc_id and not s.aside), None)
        if best is not None and best.score >= NAMED_FLOOR * ranked[0].score:
            out.append(best)
    return out


def with_openings(chosen: list[Scored], ranked: list[Scored], wanted: set[str],
                  lexical: LexicalIndex) -> list[Scored]:
    """An FAQ answer's opening sentence is its reply to its question: a later sentence of it
    that holds what was asked only through that question ("Is training available?" over
    "Seats are limited to twelve officers.") brings the opening sentence before it."""
    out: list[Scored] = []
    for s in chosen:
        if s.in_faq and lexical.coverage(wanted, terms(s.sentence.text)) < lexical.coverage(
                wanted, s.terms):
            opening = min((o for o in ranked if o.sentence.chunk_id == s.sentence.chunk_id),
                          key=lambda o: o.sentence.start)
            if opening not in out and opening not in chosen[: chosen.index(s)]:
                out.append(opening)
        if s not in out:
            out.append(s)
    return out


def lead_in_alone(s: Scored, ranked: list[Scored]) -> bool:
    """A lead-in ("the following countries:") whose passage has no sentence after it to
    bring: its list is a table or headings, which an answer cannot quote."""
    return bool(LEAD_IN.search(s.sentence.text)) and not any(
        o.sentence.chunk_id == s.sentence.chunk_id and o.sentence.start > s.sentence.start
        for o in ranked)


def with_items(chosen: list[Scored], ranked: list[Scored]) -> list[Scored]:
    """A lead-in ("the Secretary shall consult with—", "Visits typically include:") says
    nothing without what follows it: it brings its list items (the passage's next
    sentences, up to the one that ends the list), or leaves the answer; a sentence just
    before a lead-in brings it, and so the list. An enumerated
    clause ("(1) 90 days after …; or") says nothing without its lead-in: it brings the
    lead-in, and so the list it belongs to."""
    out: list[Scored] = []
    for lead in _with_openers(_with_next_lead_ins(chosen, ranked), ranked):
        after = sorted(
            (s for s in ranked if s.sentence.chunk_id == lead.sentence.chunk_id
             and s.sentence.start > lead.sentence.start),
            key=lambda s: s.sentence.start)
        if not (LEAD_IN.search(lead.sentence.text)
                or (after and FIRST_ITEM.match(after[0].sentence.text))):
            if lead not in out:
                out.append(lead)
            continue
        items = _items(after)
        if items:
            out += [s for s in [lead, *items] if s not in out]
    return out or chosen[:1]


def _with_next_lead_ins(chosen: list[Scored], ranked: list[Scored]) -> list[Scored]:
    """`chosen`, each sentence followed by the next one of its passage when that introduces
    a list ("Each visit is tailored to an agreed agenda." then "Visits typically include:"):
    the list goes on with what the sentence says, and comes with its lead-in."""
    out: list[Scored] = []
    for s in chosen:
        out.append(s)
        nxt = min((o for o in ranked if o.sentence.chunk_id == s.sentence.chunk_id
                   and o.sentence.start > s.sentence.start), key=lambda o: o.sentence.start,
                  default=None)
        if nxt is not None and LEAD_IN.search(nxt.sentence.text) and nxt not in chosen:
            out.append(nxt)
    return out


def _items(after: list[Scored]) -> list[Scored]:
    """The items of the list whose lead-in `after` follows: enumerated clauses up to the one
    ending like a sentence; labelled items ("Port Visits: …") as long as labels go on."""
    if after and LABELLED_ITEM.match(after[0].sentence.text):
        return [s for s in after if LABELLED_ITEM.match(s.sentence.text)][:MAX_ITEMS]
    items: list[Scored] = []
    for item in after[:MAX_ITEMS]:
        items.append(item)
        if item.sentence.text.endswith("."):
            break
    return items


def _with_openers(chosen: list[Scored], ranked: list[Scored]) -> list[Scored]:
    """`chosen`, each enumerated clause preceded by the sentence that opens its list: the
    nearest earlier one of its passage that ends with a colon or a dash or comes just
    before the list's first item, unless a sentence between them ends the list."""
    out: list[Scored] = []
    for s in chosen:
        opener = _opener(s, ranked) if ENUMERATED.match(s.sentence.text) else None
        for o in (opener, s):
            if o is not None and o not in out:
                out.append(o)
    return out


def _opener(item: Scored, ranked: list[Scored]) -> Scored | None:
    text = item.sentence.text
    label = ENUMERATED.match(text)
    # A clause that opens a list of its own is a sentence of its own when it starts as one
    # ("(c) Consultation.— … consult with—"); in lower case it is still an item of the list
    # above it ("(1) a foreign port—", then "(A) served by …").
    if LEAD_IN.search(text) and not (label and text[label.end():][:1].islower()):
        return None
    before = sorted((o for o in ranked if o.sentence.chunk_id == item.sentence.chunk_id
                     and o.sentence.start < item.sentence.start), key=lambda o: o.sentence.start)
    following = item
    for o in reversed(before):
        if LEAD_IN.search(o.sentence.text) or FIRST_ITEM.match(following.sentence.text):
            return None if o.aside else o
        if ENDS_SENTENCE.search(o.sentence.text):
            return None
        following = o
    return None


def with_lead_ins(chosen: list[Scored]) -> list[Scored]:
    """A list entry ("Liberia") says nothing without the sentence that opens its list: it
    brings that lead-in before it."""
    out: list[Scored] = []
    for s in chosen:
        lead = s.lead_in
        if lead is not None and all(o.sentence.sentence_id != lead.sentence.sentence_id
                                    for o in out):
            out.append(lead)
        out.append(s)
    return out
