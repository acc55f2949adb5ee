"""Per-item scoring and aggregation for the evaluation: plain functions over plain data."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

K = 5  # hit@K and recall@K
NDCG_K = 10


def norm(text: str) -> str:
    """Lowercase, straight quotes, single spaces: how facts and quotes are compared."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Passage:
    """A labelled passage: the exact text retrieval should find."""

    source: str
    quote: str


CONFIDENT_MODES = ("extractive",)
HEDGED_MODES = ("related",)


@dataclass
class Scored:
    """One item's figures for one system."""

    answerable: bool
    abstained: bool
    hit: float = 0.0
    recall: float = 0.0
    rr: float = 0.0
    ndcg: float = 0.0
    facts: int = 0
    facts_found: int = 0
    facts_supported: int = 0
    citations: int = 0
    useful_citations: int = 0
    unquoted: int = 0
    mode: str = ""
    answer: str = ""  # the answer text, for the report's list of misses

    @property
    def confident(self) -> bool:
        """Answered as if the cited sentences give what was asked."""
        return not self.abstained and self.mode not in HEDGED_MODES

    @property
    def hedged(self) -> bool:
        """Answered with the closest passages, saying the documents do not state it."""
        return not self.abstained and self.mode in HEDGED_MODES

    @property
    def holds_facts(self) -> bool:
        """Answerable, answered, and every expected fact inside a cited quote."""
        return (self.answerable and not self.abstained and self.facts > 0
                and self.facts_supported == self.facts)

    @property
    def score(self) -> float:
        """+1 confident and right, +0.5 hedged and holding the facts, 0 abstained or hedged
        without them, -1 confident and wrong. Out of scope: abstaining is right (+1), a
        hedge that says the documents do not state it is +0.5, a confident answer is -1."""
        if not self.answerable:
            return 1.0 if self.abstained else 0.5 if self.hedged else -1.0
        if self.abstained:
            return 0.0
        if self.hedged:
            return 0.5 if self.holds_facts else 0.0
        return 1.0 if self.holds_facts else -1.0

    @property
    def right(self) -> bool:
        """Confident and right, or an abstention on an out-of-scope item."""
        return self.score == 1.0


def relevant(source: str, text: str, passage: Passage) -> bool:
    """Whether a retrieved passage holds (the start or the end of) a labelled passage."""
    if source != passage.source:
        return False
    body, quote = norm(text), norm(passage.quote)
    return quote[:60] in body or quote[-60:] in body


def retrieval_figures(retrieved: Sequence[tuple[str, str]], passages: Sequence[Passage],
                      scored: Scored) -> None:
    """hit@K, recall@K, reciprocal rank and nDCG@10 of (source, text) results, best first."""
    if not passages:
        return
    gains = _gains(retrieved, passages)
    found = {i for i, p in enumerate(passages)
             if any(relevant(s, t, p) for s, t in retrieved[:K])}
    scored.hit = 1.0 if any(gains[:K]) else 0.0
    scored.recall = len(found) / len(passages)
    scored.rr = next((1.0 / r for r, g in enumerate(gains, 1) if g), 0.0)
    dcg = sum(g / math.log2(r + 1) for r, g in enumerate(gains[:NDCG_K], 1))
    ideal = sum(1 / math.log2(r + 1) for r in range(1, min(len(passages), NDCG_K) + 1))
    scored.ndcg = dcg / ideal if ideal else 0.0


def _gains(retrieved: Sequence[tuple[str, str]], passages: Sequence[Passage]) -> list[float]:
    """1 for a result holding a labelled passage no result above it holds, else 0: chunks
    overlap, so two of them can hold the same passage, which counts once (nDCG stays <= 1)."""
    credited: set[int] = set()
    gains = []
    for source, text in retrieved:
        new = {i for i, p in enumerate(passages) if i not in credited
               and relevant(source, text, p)}
        credited |= new
        gains.append(1.0 if new else 0.0)
    return gains


def answer_figures(text: str, quotes: Sequence[tuple[str, str]], facts: Sequence[str],
                   passages: Sequence[Passage], scored: Scored) -> None:
    """Fact recall, citation support and citation precision of an answer whose citations
    are (source, quote) pairs."""
    body = norm(text)
    cited = [norm(q) for _, q in quotes]
    scored.facts = len(facts)
    for fact in map(norm, facts):
        if fact in body:
            scored.facts_found += 1
            scored.facts_supported += any(fact in q for q in cited)
    scored.citations = len(quotes)
    scored.useful_citations = sum(
        1 for source, quote in quotes
        if any(relevant(source, quote, p) or norm(p.quote) in norm(quote)
               or norm(quote) in norm(p.quote) for p in passages)
        or any(norm(f) in norm(quote) for f in facts)
    )


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def aggregate(rows: Iterable[Scored]) -> dict[str, float]:
    """The figures of a group of items."""
    rows = list(rows)
    answerable = [r for r in rows if r.answerable]
    oos = [r for r in rows if not r.answerable]
    abstained = [r for r in rows if r.abstained]
    facts_found = sum(r.facts_found for r in answerable)
    return {
        "items": float(len(rows)),
        f"hit@{K}": _ratio(sum(r.hit for r in answerable), len(answerable)),
        f"recall@{K}": _ratio(sum(r.recall for r in answerable), len(answerable)),
        "mrr": _ratio(sum(r.rr for r in answerable), len(answerable)),
        f"ndcg@{NDCG_K}": _ratio(sum(r.ndcg for r in answerable), len(answerable)),
        "fact_recall": _ratio(facts_found, sum(r.facts for r in answerable)),
        "citation_support": _ratio(sum(r.facts_supported for r in answerable), facts_found),
        "citation_precision": _ratio(sum(r.useful_citations for r in answerable),
                                     sum(r.citations for r in answerable)),
        "confident_right": _ratio(sum(r.confident and r.holds_facts for r in answerable),
                                  len(answerable)),
        "right_with_hedges": _ratio(sum(r.holds_facts for r in answerable), len(answerable)),
        "confident_out_of_scope": _ratio(sum(r.confident for r in oos), len(oos)),
        "hedged": _ratio(sum(r.hedged for r in rows), len(rows)),
        "abstention_precision": _ratio(sum(not r.answerable for r in abstained), len(abstained)),
        "abstention_recall": _ratio(sum(r.abstained for r in oos), len(oos)),
        "score": _ratio(sum(r.score for r in rows), len(rows)),
        "unquoted_sentences": float(sum(r.unquoted for r in rows)),
    }
