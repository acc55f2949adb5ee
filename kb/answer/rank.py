"""Ranking the sentences of a part's evidence: how well each would answer it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kb import rules
from kb.answer.choose import Scored
from kb.index.lexical import LexicalIndex, plain_words, terms
from kb.models import Document, Hit, Sentence
from kb.query.plan import PartPlan


def gives(part: PartPlan, sentence: Sentence) -> bool:
    """Whether `sentence` states the kind of answer `part` asks for, as something the question
    does not already say: "the Commandant of the Coast Guard" does not name the Commandant of
    the Coast Guard."""
    if part.kind is None:
        return False
    wanted = rules.SATISFIES.get(part.kind, frozenset({part.kind}))
    for m in sentence.mentions:
        if m.kind in wanted:
            words = plain_words(m.text)
            if not words or not (words <= part.asked_words or words <= part.known_words):
                return True
    return False


def wanted_terms(part: PartPlan, naming: Mapping[str, set[str]]) -> set[str]:
    """The words of the part's query an answer should hold: not those naming a document."""
    return terms(part.query).difference(*(naming.get(d, set()) for d in part.named))


def rank(part: PartPlan, vector: Any, hits: Sequence[Hit], sentences: Sequence[Sentence],
         vectors: Any, lexical: LexicalIndex, documents: Mapping[str, Document],
         naming: Mapping[str, set[str]],
         lead_ins: Mapping[str, Sentence] | None = None) -> list[Scored]:
    """Body sentences of the hits, best first, one per distinct source span. A list entry
    (see kb.retrieve.listing) is read with its lead-in (`lead_ins`), which it brings."""
    if not sentences:
        return []
    lead_ins = lead_ins or {}
    passage = {h.chunk.chunk_id: h.dense_score or 0.0 for h in hits}
    editorial = {h.chunk.chunk_id for h in hits if rules.EDITORIAL.match(h.chunk.section)}
    faq = {h.chunk.chunk_id for h in hits if h.chunk.kind == "faq"}
    context = {h.chunk.chunk_id: terms(f"{h.chunk.section} {h.chunk.question}") for h in hits}
    dense = vectors @ vector
    wanted = wanted_terms(part, naming)
    out: dict[tuple[str, int], Scored] = {}
    for sentence, row, cos in zip(sentences, vectors, dense, strict=True):
        key = (sentence.doc_id, sentence.start)
        if key in out:
            continue
        lead = lead_ins.get(sentence.sentence_id)
        # A list entry is read with its lead-in, not with the heading of the passage it
        # sits in, which is often another entry ("Ebome Marine Terminal CM394-0001").
        present = (terms(sentence.text) | terms(lead.text) if lead
                   else terms(sentence.text) | context.get(sentence.chunk_id, set()))
        aside = sentence.chunk_id in editorial
        score = (rules.W_SENTENCE * float(cos)
                 + rules.W_TERMS * lexical.coverage(wanted, present)
                 # A list entry read with its lead-in is a passage of its own: the rest of
                 # the passage it sits in is other entries.
                 + rules.W_PASSAGE * (float(cos) if lead else passage.get(sentence.chunk_id, 0.0))
                 + (rules.W_TYPE if gives(part, sentence) else 0.0)
                 + (rules.W_NAMED if sentence.doc_id in part.named else 0.0)
                 - rules.STATUS_PENALTY.get(documents[sentence.doc_id].status, 0.0)
                 - (rules.EDITORIAL_PENALTY if aside else 0.0))
        out[key] = Scored(sentence, row, score, present, aside, sentence.chunk_id in faq,
                          Scored(lead, row, score, terms(lead.text)) if lead else None)
    return sorted(out.values(), key=lambda s: -s.score)
