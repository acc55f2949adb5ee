"""Answer composition: FAQ first, else extractive, else an honest abstention.

Every answer sentence is a verbatim source sentence followed by its citation marker; every
citation is used by at least one sentence.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from kb.answer.answerability import (
    asked_types,
    gives_all,
    gives_any,
    lacks_amount,
    required_patterns,
    unknown_names,
)
from kb.answer.choose import Scored, lead_in_alone, select, with_items
from kb.answer.cite import abstention, contact_citations, render
from kb.index.lexical import LexicalIndex, terms
from kb.index.store import VectorStore
from kb.models import Answer, Chunk, Citation, Document, Hit, Mode, Retrieval, Sentence
from kb.settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

WEAK_MATCH = ("Note: these passages match the question only loosely; check that they "
              "answer it before relying on them.")
UNCOVERED = "The documents do not answer this part of the question:"
# A sentence's score: its own similarity to the question, the share of the question's
# (IDF-weighted) words it contains, and how relevant its whole passage is.
# Weights tuned on the dev split of evals/questions.jsonl (forced answers, all thresholds 0).
W_SENTENCE, W_TERMS, W_PASSAGE = 0.6, 0.35, 0.4
W_TYPE = 0.15  # bonus for holding what the question asks for: a date for "when", ...
W_NAMED = 0.2  # bonus for a sentence of a document the question names ("the brochure says")
WEAK_MARGIN = 0.1  # an answer this close to the abstention threshold says it is a loose match
FAQ_MARGIN = 0.1  # an FAQ answer yields to a passage sentence this much better
# Where a current document says much the same, it should be the one quoted.
STATUS_PENALTY = {"historical": 0.05}
# A statute's editorial notes quote the old and new wording of amended text: they share the
# law's words but are its history, not what it says now.
EDITORIAL = re.compile(r"^(?:editorial notes|amendments|statutory notes|prior provisions|"
                       r"source credit|codification)\b", re.IGNORECASE)
EDITORIAL_PENALTY = 0.15


class Composer:
    """Builds an `Answer` from retrieved passages and their stored sentence embeddings."""

    def __init__(
        self, store: VectorStore, lexical: LexicalIndex, documents: dict[str, Document],
        contacts: Sequence[Chunk], settings: Settings,
    ) -> None:
        self.store = store
        self.lexical = lexical
        # Names a question may use: the documents' words and their titles, publishers, dates.
        self.vocabulary = lexical.vocabulary | terms(" ".join(
            f"{d.title} {d.publisher} {d.date} {d.kind}" for d in documents.values()))
        self.documents = documents
        # The words that name a document ("Port Security Advisory 1-17") say where to look,
        # not what the answer says: an answer need not repeat them.
        self.naming_terms = {
            d.doc_id: terms(" ".join([d.title, *d.aliases])) for d in documents.values()}
        self.contacts = list(contacts)
        self.settings = settings

    def compose(self, question: str, parts: list[Retrieval]) -> Answer:
        """Answer `question`, searched as one or more `parts` (a two-part question is
        searched part by part)."""
        # Ranked once: the FAQ check weighs its answer against the same ranking.
        rankings = self.rank_parts(parts)
        if len(parts) == 1 and self.settings.faq_first:
            p = parts[0]
            faq, _ = self.faq_answer(
                question, p.query, p.vector, p.hits, self.settings.faq_threshold, rankings[0],
                p.named)
            if faq is not None:
                return faq
        answer = self.extractive_answer(
            question, parts, self.settings.abstain_threshold, rankings)
        return answer or self.abstain(question, [h for p in parts for h in p.hits])

    # -- FAQ first -------------------------------------------------------------------------
    def best_faq(self, vector: NDArray[np.float32]) -> tuple[Sentence, float] | None:
        """The FAQ question closest to the query; a current document wins a near tie."""
        near = self.store.nearest_questions(vector, 4)
        if not near:
            return None
        top = near[0][1]
        for sentence, score in near:
            doc = self.documents.get(sentence.doc_id)
            if score >= top - 0.03 and doc is not None and doc.status == "current":
                return sentence, score
        return near[0]

    def faq_answer(
        self, question: str, query: str, vector: NDArray[np.float32], hits: list[Hit],
        threshold: float, rival: list[Scored] | None = None, named: Sequence[str] = (),
    ) -> tuple[Answer | None, float]:
        """The closest FAQ's approved answer, trimmed to the sentences that matter, when its
        question is at least `threshold` similar; with the similarity. `rival` is the
        ranking of `hits`, when the caller has it already; `named`, the documents the
        question names (an FAQ of another document does not answer it)."""
        best = self.best_faq(vector)
        if best is None or (named and best[0].doc_id not in named):
            return None, 0.0
        if best[1] < threshold:
            return None, best[1]
        cid = best[0].chunk_id
        chunk = next((h.chunk for h in hits if h.chunk.chunk_id == cid), None)
        if chunk is None:
            chunk = self.store.get_chunks([cid])[cid]
        faq_hit = Hit(chunk=chunk, score=1.0, dense_score=best[1])
        if rival is None:
            rival = self.rank_sentences(query, vector, hits, named=named)
        # The FAQ's sentences were read with the hits when it is one of them.
        own = [s for s in rival if s.sentence.chunk_id == cid]
        read = ([s.sentence for s in own], np.stack([s.vector for s in own])
                ) if own and len(own) == chunk.sentences else None
        ranked = self.rank_sentences(query, vector, [faq_hit], read, named)
        if not ranked:
            return None, best[1]
        if rival and rival[0].score > ranked[0].score + FAQ_MARGIN:
            # A question worded like an FAQ question but answered better elsewhere.
            return None, best[1]
        keep = ranked[: self.settings.max_sentences]
        first = min(ranked, key=lambda s: s.sentence.start)
        if first not in keep:  # an FAQ answer's opening sentence carries its gist
            keep = [*keep[:-1], first]
        return self._render(question, "faq", keep, [faq_hit, *hits]), best[1]

    def extractive_answer(
        self, question: str, parts: list[Retrieval], threshold: float,
        rankings: list[list[Scored]] | None = None,
    ) -> Answer | None:
        """The best source sentences for each part of the question whose best sentence
        scores at least `threshold`; None when no part does. Parts left unanswered are
        named in a note."""
        limit = self.settings.max_sentences if len(parts) == 1 else 2
        chosen: list[Scored] = []
        uncovered: list[str] = []
        weakest = float("inf")
        if rankings is None:
            rankings = self.rank_parts(parts)
        for part, ranked in zip(parts, rankings, strict=True):
            # "How often ...?" is answered only by a sentence that gives a frequency.
            needs = required_patterns(part.text)
            pool = [s for s in ranked if gives_all(needs, s.sentence.text)
                    and not lead_in_alone(s, ranked)]
            if not pool or pool[0].score < threshold or unknown_names(
                part.text, self.vocabulary
            ):
                uncovered.append(part.text)
                continue
            weakest = min(weakest, pool[0].score)
            picks = with_items(select(
                pool, self.wanted(part.query, part.named), limit, self.lexical, part.named),
                ranked)
            if lacks_amount(part.text, [p.sentence.text for p in picks]):
                uncovered.append(part.text)
                continue
            for pick in picks:
                if all(pick.sentence.sentence_id != c.sentence.sentence_id for c in chosen):
                    chosen.append(pick)
        if not chosen:
            return None
        hits = [h for p in parts for h in p.hits]
        answer = self._render(question, "extractive", chosen, hits)
        if uncovered:
            answer.text += "\n\n" + "\n".join(
                f"{UNCOVERED} \u201c{text}\u201d" for text in uncovered)
            answer.uncovered = uncovered
        if weakest < threshold + WEAK_MARGIN:
            answer.text += f"\n\n{WEAK_MATCH}"
        return answer

    # -- extractive ------------------------------------------------------------------------
    def rank_parts(self, parts: list[Retrieval]) -> list[list[Scored]]:
        """`rank_sentences` for each part, reading the sentences of all parts at once."""
        chunks = {h.chunk.chunk_id: h.chunk for p in parts for h in p.hits}
        sentences, vectors = self.store.sentences_of(list(chunks.values()))
        rows: dict[str, list[int]] = {}
        for row, sentence in enumerate(sentences):
            rows.setdefault(sentence.chunk_id, []).append(row)
        ranked = []
        for p in parts:
            mine = [r for h in p.hits for r in rows.get(h.chunk.chunk_id, [])]
            ranked.append(self.rank_sentences(
                p.query, p.vector, p.hits, ([sentences[r] for r in mine], vectors[mine]),
                p.named))
        return ranked

    def rank_sentences(
        self, query: str, vector: NDArray[np.float32], hits: list[Hit],
        read: tuple[list[Sentence], NDArray[np.float32]] | None = None,
        named: Sequence[str] = (),
    ) -> list[Scored]:
        """Body sentences of the hits, best first, one per distinct source span. `read`:
        those sentences and their embeddings, when the caller has them already; `named`:
        documents the question names, whose sentences are preferred."""
        sentences, vectors = read or self.store.sentences_of([h.chunk for h in hits])
        if not sentences:
            return []
        passage = {h.chunk.chunk_id: h.dense_score or 0.0 for h in hits}
        editorial = {h.chunk.chunk_id for h in hits if EDITORIAL.match(h.chunk.section)}
        context = {h.chunk.chunk_id: terms(f"{h.chunk.section} {h.chunk.question}") for h in hits}
        dense = vectors @ vector
        wanted = self.wanted(query, named)
        asked = asked_types(query)
        out: dict[tuple[str, int], Scored] = {}
        for sentence, row, cos in zip(sentences, vectors, dense, strict=True):
            key = (sentence.doc_id, sentence.start)
            if key in out:
                continue
            present = terms(sentence.text) | context.get(sentence.chunk_id, set())
            score = (W_SENTENCE * float(cos) + W_TERMS * self.lexical.coverage(wanted, present)
                     + W_PASSAGE * passage.get(sentence.chunk_id, 0.0)
                     + W_TYPE * gives_any(asked, sentence.text)
                     + (W_NAMED if sentence.doc_id in named else 0.0)
                     - STATUS_PENALTY.get(self.documents[sentence.doc_id].status, 0.0)
                     - (EDITORIAL_PENALTY if sentence.chunk_id in editorial else 0.0))
            out[key] = Scored(sentence, row, score, present, sentence.chunk_id in editorial)
        return sorted(out.values(), key=lambda s: -s.score)

    def wanted(self, query: str, named: Sequence[str] = ()) -> set[str]:
        """The words of `query` an answer should hold: not those naming a document."""
        return terms(query).difference(*(self.naming_terms.get(d, set()) for d in named))

    # -- citing ----------------------------------------------------------------------------
    def _render(self, question: str, mode: Mode, chosen: list[Scored], hits: list[Hit]) -> Answer:
        return render(question, mode, [s.sentence for s in chosen], hits, self.documents)

    def contact_citations(self) -> list[Citation]:
        """The program contacts the documents give, from current documents when any do."""
        return contact_citations(self.contacts, self.documents)

    def abstain(self, question: str, hits: list[Hit]) -> Answer:
        """Say plainly that the documents do not answer, and cite only who to ask."""
        return abstention(question, hits, self.contact_citations())
