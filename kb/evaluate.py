"""The offline evaluation: retrieval, answer, citation and abstention metrics per category,
and calibration of the FAQ and abstention thresholds on the dev split."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import KBError
from kb.knowledge import KnowledgeBase
from kb.models import Answer
from kb.settings import Settings

GRID_ABSTAIN = [round(0.30 + 0.01 * i, 2) for i in range(51)]
GRID_FAQ = [round(0.70 + 0.02 * i, 2) for i in range(15)]


@dataclass
class Item:
    id: str
    category: str
    question: str
    answerable: bool
    facts: list[str]
    sources: list[str]
    split: str = "dev"


@dataclass
class Outcome:
    item: Item
    answer: Answer
    retrieved: list[str]  # doc ids of the top passages, best first
    facts_found: int = 0
    facts_supported: int = 0
    unquoted_sentences: int = 0  # answer sentences that are not verbatim source text
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        """Answerable: every fact in the answer and inside a cited quote. Else: abstained."""
        if not self.item.answerable:
            return self.answer.abstained
        return not self.answer.abstained and self.facts_supported == len(self.item.facts)


def load_items(path: Path) -> list[Item]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(Item(**json.loads(line)))
            except (json.JSONDecodeError, TypeError) as exc:
                raise KBError(f"{path}:{n}: not a valid evaluation item: {exc}") from exc
    return items


def norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def judge(kb: KnowledgeBase, item: Item, answer: Answer) -> Outcome:
    """Score one answer against its item."""
    hits = kb.search(item.question, k=10)
    out = Outcome(item, answer, [h.chunk.doc_id for h in hits])
    text = norm(answer.text)
    quotes = [norm(c.quote) for c in answer.citations]
    for fact in item.facts:
        f = norm(fact)
        if f in text:
            out.facts_found += 1
            if any(f in q for q in quotes):
                out.facts_supported += 1
    for sentence in answer.sentences:
        cited = answer.citations[sentence.citation - 1]
        doc = kb.documents[cited.source]
        if sentence.text not in doc.text or sentence.text not in cited.quote:
            out.unquoted_sentences += 1
    return out


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def metrics(outcomes: Iterable[Outcome]) -> dict[str, float]:
    """Aggregate figures for a group of outcomes."""
    rows = list(outcomes)
    answerable = [o for o in rows if o.item.answerable]
    oos = [o for o in rows if not o.item.answerable]
    abstained = [o for o in rows if o.answer.abstained]
    ranks = []
    for o in answerable:
        rank = next((i for i, d in enumerate(o.retrieved, 1) if d in o.item.sources), None)
        ranks.append(rank)
    facts = sum(len(o.item.facts) for o in answerable)
    return {
        "items": len(rows),
        "hit@5": _ratio(sum(1 for r in ranks if r is not None and r <= 5), len(ranks)),
        "mrr": _ratio(sum(1 / r for r in ranks if r is not None), len(ranks)),
        "fact_recall": _ratio(sum(o.facts_found for o in answerable), facts),
        "citation_support": _ratio(
            sum(o.facts_supported for o in answerable), sum(o.facts_found for o in answerable)
        ),
        "answered_with_support": _ratio(sum(o.success for o in answerable), len(answerable)),
        "abstention_precision": _ratio(sum(1 for o in abstained if not o.item.answerable),
                                       len(abstained)),
        "abstention_recall": _ratio(sum(1 for o in oos if o.answer.abstained), len(oos)),
        "unquoted_sentences": float(sum(o.unquoted_sentences for o in rows)),
    }


def calibrate(kb: KnowledgeBase, items: list[Item]) -> dict[str, Any]:
    """Pick the thresholds that get the most dev items right: the middle of the best
    plateau."""
    dev = [i for i in items if i.split == "dev"]
    cases = []
    for item in dev:
        parts = kb.retrieve(item.question)
        faq, faq_score = None, 0.0
        if len(parts) == 1:
            p = parts[0]
            faq, faq_score = kb.composer.faq_answer(item.question, p.query, p.vector, p.hits, 0.0)
        extractive = {t: right(item, kb.composer.extractive_answer(item.question, parts, t))
                      for t in GRID_ABSTAIN}
        cases.append((faq_score, right(item, faq), extractive))
    scores = {
        (faq_t, abstain_t): sum(
            faq_ok if faq_score >= faq_t else extractive[abstain_t]
            for faq_score, faq_ok, extractive in cases
        )
        for faq_t in GRID_FAQ
        for abstain_t in GRID_ABSTAIN
    }
    top = max(scores.values())
    # The middle of the best plateau: thresholds at its edge generalise worst.
    faq_t = _median([f for (f, _), s in scores.items() if s == top])
    abstain_t = _median([a for (f, a), s in scores.items() if s == top and f == faq_t])
    best = (top, faq_t, abstain_t)
    return {"dev_items": len(dev), "dev_right": best[0], "faq_threshold": best[1],
            "abstain_threshold": best[2]}


def _median(values: list[float]) -> float:
    ordered = sorted(set(values))
    return ordered[len(ordered) // 2]


def right(item: Item, answer: Answer | None) -> bool:
    """Whether `answer` (None: abstained) is right for `item`."""
    if answer is None or answer.abstained:
        return not item.answerable
    if not item.answerable:
        return False
    quotes = [norm(c.quote) for c in answer.citations]
    return all(any(norm(f) in q for q in quotes) for f in item.facts)


def run_eval(settings: Settings, questions: Path, report: Path, calibrate_too: bool = False) -> str:
    """Evaluate every item, write the Markdown report, return a one-paragraph summary."""
    from kb.evalreport import write_report

    items = load_items(questions)
    with KnowledgeBase.open(settings) as kb:
        outcomes = [judge(kb, item, kb.ask(item.question)) for item in items]
        calibration = calibrate(kb, items) if calibrate_too else None
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.item.category].append(o)
        groups[f"split:{o.item.split}"].append(o)
    table = {name: metrics(rows) for name, rows in sorted(groups.items())}
    table["overall"] = metrics(outcomes)
    write_report(report, settings, table, outcomes, calibration)
    total = table["overall"]
    return (
        f"{len(items)} questions: answered with supporting citation "
        f"{total['answered_with_support']:.1%} of answerable, abstention recall "
        f"{total['abstention_recall']:.1%}, precision {total['abstention_precision']:.1%}, "
        f"hit@5 {total['hit@5']:.1%}, MRR {total['mrr']:.3f}, unquoted sentences "
        f"{int(total['unquoted_sentences'])}; report written to {report}"
    )
