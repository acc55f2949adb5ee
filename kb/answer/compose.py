"""Answer composition: a pure function of the query plan and its evidence.

In order: a question the offline answerer cannot read gets a notice in its language; a
request to spell out an acronym is answered from the glossary; otherwise each part is
judged (kb.answer.judge) and the answer is extractive (the cited sentences give what was
asked), related (they touch it but do not state it, and the answer says so first) or an
abstention with the contact.
Every quoted sentence is verbatim with its citation marker.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.sentences import split_sentences
from kb.answer import notices
from kb.answer.choose import Scored
from kb.answer.cite import abstention, contact_citations, render
from kb.answer.judge import ANSWERED, HEDGED_CEILING, RELATED, Verdict, judge
from kb.answer.rank import rank
from kb.index.lexical import LexicalIndex, terms
from kb.models import Answer, Chunk, Citation, Document, GlossaryEntry, Hit, Mode, Sentence
from kb.query.plan import PartPlan, QueryPlan
from kb.retrieve.evidence import Evidence
from kb.settings import Settings

log = logging.getLogger(__name__)

@dataclass
class Library:
    """What composition knows besides the evidence: the documents and what was derived from
    them at ingest. Read-only; nothing in it touches the index."""

    documents: dict[str, Document]
    lexical: LexicalIndex  # its IDF weights: how much each word says
    contacts: list[Chunk] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    naming: dict[str, set[str]] = field(default_factory=dict)  # words that name each document
    # What each document is, as its record says (title, aliases, publisher, month and year):
    # every sentence of a document is about these, whether or not it repeats them.
    titles: dict[str, set[str]] = field(default_factory=dict)
    program: str = ""  # who a contact block naming no office is for (Settings.program_name)

    @classmethod
    def of(cls, documents: dict[str, Document], lexical: LexicalIndex, contacts: list[Chunk],
           glossary: list[GlossaryEntry], program: str) -> Library:
        # The words that name a document ("Port Security Advisory 1-17") say where to look,
        # not what the answer says: an answer need not repeat them.
        naming = {d.doc_id: terms(" ".join([d.title, *d.aliases])) for d in documents.values()}
        titles = {d.doc_id: terms(" ".join([d.title, *d.aliases, d.publisher, _when(d.date)]))
                  for d in documents.values()}
        return cls(documents, lexical, contacts, glossary, naming, titles, program)

    def contact_citations(self) -> list[Citation]:
        return contact_citations(self.contacts, self.documents, self.program)


def compose(plan: QueryPlan, evidence: Sequence[Evidence], library: Library,
            settings: Settings) -> Answer:
    """The answer to `plan` from `evidence`; reads nothing else."""
    answer = _compose(plan, evidence, library, settings)
    answer.language = plan.language
    if plan.repairs and plan.readable:
        answer.notices = [*(answer.notices or []), notices.read_as(plan.repairs)]
    return answer


def _compose(plan: QueryPlan, evidence: Sequence[Evidence], library: Library,
             settings: Settings) -> Answer:
    hits = [h for ev in evidence for h in ev.hits]
    if not plan.readable:
        return language_notice(plan, library)
    if plan.define:
        defined = glossary_answer(plan, library)
        if defined is not None:
            return defined
    ranked = [rank(ev.part, ev.vector, ev.hits, ev.sentences, ev.vectors, library.lexical,
                   library.documents, library.naming, ev.lead_ins) for ev in evidence]
    limit = settings.max_sentences if len(evidence) == 1 else 2
    verdicts = [_verdict(ev.part, r, limit, library, settings)
                for ev, r in zip(evidence, ranked, strict=True)]
    return from_verdicts(plan, verdicts, hits, library,
                         [c for ev in evidence for c in ev.list_chunks])


def _verdict(part: PartPlan, ranked: list[Scored], limit: int, library: Library,
             settings: Settings) -> Verdict:
    """The verdict on one part. A historical document answers only when no current one does
    (unless the question names documents): the two often say much the same, and the current
    one is what holds now."""
    def verdict(pool: list[Scored]) -> Verdict:
        return judge(part, pool, limit, settings.abstain_threshold, library.lexical,
                     library.titles, library.naming, settings.cover_threshold)

    current = [s for s in ranked
               if library.documents[s.sentence.doc_id].status != "historical"]
    if not part.named and 0 < len(current) < len(ranked):
        first = verdict(current)
        if first.status == ANSWERED:
            return first
    return verdict(ranked)


def from_verdicts(plan: QueryPlan, verdicts: list[Verdict], hits: list[Hit],
                  library: Library, more: Sequence[Chunk] = ()) -> Answer:
    """The answer the parts' verdicts add up to; `more`: passages beside the hits that
    quoted sentences may come from (a list entry's lead-in)."""
    answered = [v for v in verdicts if v.status == ANSWERED]
    related = [v for v in verdicts if v.status == RELATED]
    left = [v for v in verdicts if v.status != ANSWERED]
    if not answered and not related:
        answer = abstention(plan.question, hits, library.contact_citations())
        answer.reasons = [v.reason for v in verdicts]
        answer.uncovered = [v.part.text for v in verdicts] if len(verdicts) > 1 else []
        return answer
    if answered and not left:
        answer = _render(plan.question, "extractive", _picks(answered), hits, library, more)
        answer.confidence = min(v.confidence for v in answered)
    else:
        # Some part is not stated: the whole answer is hedged, though other parts are
        # answered, since it does not give everything asked. It opens with what is missing,
        # then quotes the answered parts and the closest passages for the rest.
        answer = _render(plan.question, "related", _picks(answered + related), hits, library,
                         more)
        lead = " ".join(v.reason for v in left)
        opening = notices.PARTLY if answered else notices.CLOSEST
        answer.text = f"{lead} {opening}\n\n{answer.text}"
        answer.confidence = min(HEDGED_CEILING,
                                *(v.confidence for v in answered + related))
    answer.uncovered = [v.part.text for v in left]
    answer.reasons = [v.reason for v in left]
    return answer


def _picks(verdicts: list[Verdict]) -> list[Scored]:
    out: list[Scored] = []
    for v in verdicts:
        out += [p for p in v.picks
                if all(p.sentence.sentence_id != o.sentence.sentence_id for o in out)]
    return out


def glossary_answer(plan: QueryPlan, library: Library) -> Answer | None:
    """"What does COE stand for?": the sentence that defines the term, cited where it is."""
    entry = next((e for e in library.glossary if e.term == plan.define), None)
    doc = library.documents.get(entry.doc_id) if entry else None
    if entry is None or doc is None:
        return None
    start, end = _sentence_around(doc.text, entry.start, entry.end)
    sentence = Sentence(sentence_id=f"glossary:{entry.term}", chunk_id=f"glossary:{entry.term}",
                        doc_id=doc.doc_id, text=doc.text[start:end], start=start, end=end)
    chunk = Chunk(chunk_id=sentence.chunk_id, doc_id=doc.doc_id, text=sentence.text,
                  start=start, end=end, kind="prose", section="where the term is defined")
    answer = render(plan.question, "extractive", [sentence], [Hit(chunk=chunk, score=1.0)],
                    library.documents)
    answer.text = (f"\u201c{entry.term}\u201d stands for \u201c{entry.expansion}\u201d. "
                   f"{answer.text}")
    answer.confidence = 1.0
    return answer


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence holding text[start:end], as ingest splits sentences (a
    line is a paragraph, and "U.S." does not end one)."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    for _, s_start, s_end in split_sentences(text[lo:hi], lo):
        if s_start <= start and end <= s_end:
            return s_start, s_end
    return lo, hi  # a definition across a sentence break: its whole line


def language_notice(plan: QueryPlan, library: Library) -> Answer:
    """A question the offline answerer cannot read: say so in its language and in English,
    with the contact; never an English answer to a question it could not read."""
    contacts = library.contact_citations()
    answer = abstention(plan.question, [], contacts)
    own = notices.NOTICES.get(plan.language)
    lead = f"{own}\n\n{notices.ENGLISH_NOTICE}" if own else notices.ENGLISH_NOTICE
    answer.text = f"{lead}\n\n{answer.text}"
    answer.reasons = [f"the question is not in English (detected: {plan.language})"]
    return answer


def _render(question: str, mode: Mode, chosen: list[Scored], hits: list[Hit],
            library: Library, more: Sequence[Chunk] = ()) -> Answer:
    return render(question, mode, [s.sentence for s in chosen], hits, library.documents, more)


def _when(date: str) -> str:
    """"December 2017" for "2017-12-14": how a question names a document's date."""
    try:
        return datetime.date.fromisoformat(date).strftime("%B %Y")
    except ValueError:
        return date
