"""Whether the best sentences answer a part of a question: the verdict behind the answer's
mode and confidence.

A part is *answered* when its best sentences are relevant, state the kind of answer asked
for (a date for "when", a number for "how many") and hold what the part is about; *related*
when they are relevant but miss the kind or the subject (the answer then says what the
documents do not state and gives the closest passages); *unanswered* when nothing relevant
was found or the part names something no document mentions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kb import rules
from kb.answer.choose import Scored, lead_in_alone, select, with_items
from kb.answer.notices import not_given, not_mentioned, not_said
from kb.answer.rank import gives, wanted_terms
from kb.index.lexical import LexicalIndex, terms
from kb.query.plan import PartPlan

ANSWERED, RELATED, UNANSWERED = "answered", "related", "unanswered"
RELATED_SENTENCES = 2  # closest passages a related answer quotes


@dataclass
class Verdict:
    """How far the evidence answers one part."""

    part: PartPlan
    status: str  # ANSWERED | RELATED | UNANSWERED
    picks: list[Scored] = field(default_factory=list)
    confidence: float = 0.0
    reason: str = ""  # for a related or unanswered part: what is missing, in plain words


def judge(part: PartPlan, ranked: list[Scored], limit: int, threshold: float,
          lexical: LexicalIndex, titles: Mapping[str, set[str]],
          naming: Mapping[str, set[str]], cover_threshold: float) -> Verdict:
    """The verdict on `part` given its ranked sentences, the abstention threshold and the
    share of its focus a confident answer must hold."""
    pool = [s for s in ranked if not lead_in_alone(s, ranked)]
    if not pool or pool[0].score < threshold:
        return Verdict(part, UNANSWERED, reason="no passage is close enough to the question")
    relevance = min(1.0, (pool[0].score - threshold) / rules.RELEVANCE_SPAN)
    if part.unknown:  # "Port Omicron": the passages are about something else of that kind
        return _related(part, pool, relevance, not_mentioned(part.unknown, part.text))
    if part.strict:
        typed = [s for s in pool if gives(part, s.sentence)]
        if not typed or typed[0].score < threshold:
            return _related(part, pool, relevance, not_given(part.kind or "", part.text))
        pool = typed
    picks = with_items(select(pool, wanted_terms(part, naming), limit, lexical, part.named),
                       ranked)
    covered, missing = coverage(part, picks, lexical, titles)
    if covered < cover_threshold:
        return _related(part, picks, relevance * covered, not_said(missing, part.text))
    return Verdict(part, ANSWERED, picks, confidence=0.5 + 0.5 * relevance * covered)


def _related(part: PartPlan, closest: list[Scored], confidence: float, reason: str) -> Verdict:
    picks = [s for s in closest if not s.aside][:RELATED_SENTENCES] or closest[:1]
    # Never as sure as an answer: related answers sit below one half.
    return Verdict(part, RELATED, picks, confidence=0.45 * confidence, reason=reason)


def coverage(part: PartPlan, picks: list[Scored], lexical: LexicalIndex,
             titles: Mapping[str, set[str]]) -> tuple[float, list[str]]:
    """The IDF-weighted share of the part's focus that the picked sentences hold, with their
    headings and their documents' titles (`titles`: each document's title terms); and the
    focus words they miss."""
    if not part.focus:
        return 1.0, []
    present: set[str] = set()
    for s in picks:
        present |= s.terms | titles.get(s.sentence.doc_id, set())
    total = held = 0.0
    missing = []
    for f in part.focus:
        weight = max(lexical.weight(t) for t in (terms(f.word) or f.stems))
        total += weight
        if f.stems & present:
            held += weight
        else:
            missing.append(f.word)
    return (held / total if total else 1.0), missing
