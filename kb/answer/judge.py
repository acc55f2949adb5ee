"""Whether the best sentences answer a part of a question: the verdict behind the answer's
mode and confidence.

A part is *answered* when its best sentences are relevant, state the kind of answer asked
for (a date for "when", a number for "how many") and hold what the part is about; *related*
when they are relevant but miss the kind or the subject (the answer then says what the
documents do not state and gives the closest passages), or when none is relevant enough but
the closest hold the whole subject of a question after a kind of fact, or a list names what
it asks about; *unanswered* when nothing relevant was found or the part names something no
document mentions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from kb import rules
from kb.answer.choose import (
    Scored,
    lead_in_alone,
    select,
    with_items,
    with_lead_ins,
    with_openings,
)
from kb.answer.notices import (
    not_given,
    not_in_so_many_words,
    not_mentioned,
    not_said,
    nothing_on,
)
from kb.answer.rank import gives, wanted_terms
from kb.index.lexical import LexicalIndex, terms
from kb.query.plan import PartPlan

ANSWERED, RELATED, UNANSWERED = "answered", "related", "unanswered"
HEDGED_CEILING = 0.45  # never as sure as an answer: hedged answers sit below one half
_WORD = re.compile(r"[a-z][a-z-]*[a-z]")


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
    below = not pool or pool[0].score < threshold
    # Asked to compare two documents, for no kind of fact and about nothing else ("how do
    # 70108 and 70110 differ?"): no sentence answers as asked, however close.
    compared = (len(part.named) > 1 and part.kind is None
                and bool(part.asked_words & rules.COMPARISON_WORDS))
    if part.named and not part.focus and (below or compared):
        return _openings(part, pool)
    if below:
        return _below_the_bar(part, pool[:limit], lexical, titles, cover_threshold)
    relevance = min(1.0, (pool[0].score - threshold) / rules.RELEVANCE_SPAN)
    wanted = wanted_terms(part, naming)

    def chosen(candidates: list[Scored]) -> list[Scored]:
        picked = select(candidates, wanted, limit, lexical, part.named)
        if not part.strict:  # a typed sentence states the answer itself
            picked = with_openings(picked, ranked, wanted, lexical)
        return with_lead_ins(with_items(picked, ranked))

    if part.unknown:  # "Port Omicron": the passages are about something else of that kind
        return _related(part, chosen(pool), relevance, not_mentioned(part.unknown, part.text))
    relevant = pool  # every relevant sentence, of the kind asked for or not
    if part.strict:
        typed = [s for s in pool if gives(part, s.sentence)]
        if not typed or typed[0].score < threshold:
            closest = chosen(pool)
            # The closest passage's document may state the kind about itself ("FOR FURTHER
            # INFORMATION CONTACT: … Juliet Hudson"): not an answer, but closer than nothing.
            own = next((s for s in typed if s.sentence.doc_id == pool[0].sentence.doc_id), None)
            if own is not None and own not in closest:
                return _related(part, [*closest[: max(limit - 1, 1)], own], relevance,
                                not_in_so_many_words(part.text))
            return _related(part, closest, relevance, not_given(part.kind or "", part.text))
        pool = typed
    picks = chosen(pool)
    # The sentence that states a date or a number must be the one about the subject: "On
    # April 2 the Coast Guard found Seychelles ..." does not date a finding on Nauru because
    # another quoted sentence names Nauru.
    each = [coverage(part, [s], lexical, titles) for s in picks
            if gives(part, s.sentence)] if part.strict else []
    covered, missing = (max(each, key=lambda c: c[0]) if each
                        else coverage(part, picks, lexical, titles))
    if covered < cover_threshold:
        if part.strict:
            # A sentence of the kind asked for that may be about something else is not all
            # that is close: "for how long did the pandemic stop the visits?" shows "once
            # every 3 years", then the sentences on the pandemic.
            rest = [s for s in chosen(relevant) if s is not picks[0]]
            picks = [picks[0], *rest][: max(limit, 1)]
            # Say the documents do not speak of a word only if no quoted sentence does:
            # the others may, without stating the kind asked for.
            missing = coverage(part, picks, lexical, titles)[1]
        reason = not_said(missing, part.text) if missing else not_in_so_many_words(part.text)
        return _related(part, picks, relevance * covered, reason)
    return Verdict(part, ANSWERED, picks, confidence=0.5 + 0.5 * relevance * covered)


def _openings(part: PartPlan, pool: list[Scored]) -> Verdict:
    """A question on the named documents as a whole ("What is the difference between 70108
    and 70110?") that no sentence answers as asked: the asker has said where to look, so
    the answer is related, quoting the earliest found sentence of each document (with the
    list it opens), rather than an abstention."""
    firsts = [min((s for s in pool if s.sentence.doc_id == doc_id and not s.aside),
                  key=lambda s: s.sentence.start, default=None) for doc_id in part.named]
    picks = with_items([s for s in firsts if s is not None], pool)
    if not picks:
        return Verdict(part, UNANSWERED, reason=nothing_on(part.text))
    return _related(part, picks, 0.0, not_in_so_many_words(part.text))


def _below_the_bar(part: PartPlan, closest: list[Scored], lexical: LexicalIndex,
                   titles: Mapping[str, set[str]], cover_threshold: float) -> Verdict:
    """The verdict when no sentence scores as an answer: unanswered, unless the closest
    sentences show that the documents touch what was asked. "How long does a reciprocal
    visit last?": none comes near a duration, but they are about reciprocal visits; "Is
    Cambodia still on the list?": a list names it. Then the answer is related, saying what
    the documents do not give, rather than that they say nothing on it."""
    if part.unknown:
        return Verdict(part, UNANSWERED, reason=nothing_on(part.text))
    touching = [s for s in closest if part.strict
                and coverage(part, [s], lexical, titles)[0] >= cover_threshold]
    if touching:
        typed = [s for s in touching if gives(part, s.sentence)]
        reason = (not_in_so_many_words(part.text) if typed
                  else not_given(part.kind or "", part.text))
        return _related(part, typed + [s for s in touching if s not in typed], 0.0, reason)
    entries = with_lead_ins([s for s in closest if s.lead_in is not None])
    if entries:
        missing = coverage(part, entries, lexical, titles)[1]
        reason = (not_said(missing, part.text) if missing
                  else not_in_so_many_words(part.text))
        return _related(part, entries, 0.0, reason)
    return Verdict(part, UNANSWERED, reason=nothing_on(part.text))


def _related(part: PartPlan, closest: list[Scored], confidence: float, reason: str) -> Verdict:
    # The same sentences an answer would quote: a hedged answer is judged by whether they
    # hold what was asked, so it should not show fewer of them.
    picks = [s for s in closest if not s.aside] or closest[:1]
    return Verdict(part, RELATED, picks, confidence=HEDGED_CEILING * confidence, reason=reason)


def coverage(part: PartPlan, picks: list[Scored], lexical: LexicalIndex,
             titles: Mapping[str, set[str]]) -> tuple[float, list[str]]:
    """The IDF-weighted share of the part's focus that the picked sentences hold, with their
    headings and their documents' names (`titles`); and the focus words they miss. Words
    carried from a follow-up's referent weigh together `rules.FOCUS_WEIGHT_CONTEXT` of the
    part's own."""
    if not part.focus:
        return 1.0, []
    present: set[str] = set()
    for s in picks:
        present |= s.terms | titles.get(s.sentence.doc_id, set())
    words = _words(picks)
    totals = {False: 0.0, True: 0.0}
    held = {False: 0.0, True: 0.0}
    missing: dict[bool, list[tuple[float, str]]] = {False: [], True: []}
    for f in part.focus:
        weight = f.weight * max(lexical.weight(t) for t in (terms(f.word) or f.stems))
        totals[f.carried] += weight
        if (f.stems & present or (f.spelled and f.spelled <= present)
                or _variant(f.word, words) or (f.acronym and _spelt_out(f.acronym, picks))):
            held[f.carried] += weight
        else:
            missing[f.carried].append((weight, f.word))
    own, carried = totals[False], totals[True]
    if part.named and any(s.sentence.doc_id in part.named for s in picks):
        # "and when did that take effect?" after a question on the 2019 notice: the
        # referent is the document named, which every sentence of it is about.
        held[True], missing[True] = carried, []
    if not carried:
        return (held[False] / own if own else 1.0), _main(missing[False])
    if not own:
        return held[True] / carried, _main(missing[True])
    share = rules.FOCUS_WEIGHT_CONTEXT
    covered = (held[False] + share * own * held[True] / carried) / (own * (1 + share))
    # The referent is named when any of its words is: list them only when none is, or when
    # they are all that is missing.
    listed = missing[False] + (missing[True] if not held[True] or not missing[False] else [])
    return covered, _main(listed)


def _main(missing: list[tuple[float, str]]) -> list[str]:
    """The missing words a reason names: the weightiest, not the light ones beside them (a
    verb, the asker's own things), heaviest first."""
    top = max((w for w, _ in missing), default=0.0)
    return [word for w, word in sorted(missing, key=lambda m: -m[0]) if w >= top / 2]


_NAME_WORD = re.compile(r"[A-Za-z][\w'’.-]*")


def _spelt_out(acronym: str, picks: list[Scored]) -> bool:
    """Whether a picked sentence names what `acronym` stands for: consecutive capitalised
    words, small joining words apart, whose initials spell it."""
    for s in picks:
        initials: list[str] = []
        for word in _NAME_WORD.findall(s.sentence.text):
            if word[0].isupper():
                initials.append(word[0])
            elif word.lower() not in rules.NAME_JOINERS:
                initials.append(" ")  # a lower-case word ends the name
        if acronym in "".join(initials):
            return True
    return False


_EDITS = EditDistance(DistanceAlgorithm.DAMERAU_OSA)


def _words(picks: list[Scored]) -> set[str]:
    """The long words of the picked sentences as written, lower-case, hyphens dropped."""
    return {w.replace("-", "") for s in picks for w in _WORD.findall(s.sentence.text.lower())
            if len(w) >= rules.SPELLING_VARIANT_MIN}


def _variant(word: str, words: set[str]) -> bool:
    """Whether `word` is spelt like one of `words` but for one letter (`rules`)."""
    if len(word) < rules.SPELLING_VARIANT_MIN:
        return False
    return word in words or any(abs(len(w) - len(word)) <= 1 and w[0] == word[0]
                                and _EDITS.compare(word, w, 1) >= 0 for w in words)
