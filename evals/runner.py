"""The evaluation runner: every system on every item, figures per category and split,
threshold calibration on the dev split, the report and results.json."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evals.metrics import Passage, Scored, aggregate, answer_figures, norm, retrieval_figures
from kb.errors import KBError
from kb.knowledge import KnowledgeBase
from kb.models import Answer
from kb.settings import Settings

log = logging.getLogger(__name__)

# Product variants: the same index, other retrieval or answering settings.
SYSTEMS: dict[str, dict[str, Any]] = {
    "hybrid_faq": {"retrieval": "hybrid", "faq_first": True},
    "hybrid": {"retrieval": "hybrid", "faq_first": False},
    "bm25": {"retrieval": "bm25", "faq_first": False},
    "dense": {"retrieval": "dense", "faq_first": False},
}
BASELINE = "langchain_baseline"
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
    passages: list[dict[str, str]] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # earlier questions of a follow-up
    language: str = "en"
    near: str = ""  # out of scope: the document holding the closest passage
    why: str = ""  # out of scope: what the documents say nearby and do not say

    @property
    def labelled(self) -> list[Passage]:
        return [Passage(p["source"], p["quote"]) for p in self.passages]

    @property
    def expects_answer(self) -> bool:
        """Whether the offline answerer should answer: it cannot read a question that is not
        in English, so there the right outcome is the notice saying so."""
        return self.answerable and self.language == "en"


def load_items(path: Path) -> list[Item]:
    """The evaluation items of a JSONL file; a malformed line is an error naming it."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(Item(**json.loads(line)))
            except (json.JSONDecodeError, TypeError) as exc:
                raise KBError(f"{path}:{n}: not a valid evaluation item: {exc}") from exc
    return items


def score_answer(kb: KnowledgeBase, item: Item, answer: Answer) -> Scored:
    """One item's figures for a product answer (retrieval measured separately)."""
    scored = Scored(answerable=item.expects_answer, abstained=answer.abstained,
                    mode=answer.mode, answer=answer.text)
    hits = kb.search(item.question, k=10)
    retrieval_figures([(h.chunk.doc_id, h.chunk.text) for h in hits], item.labelled, scored)
    if not answer.abstained:
        quotes = [(c.source, c.quote) for c in answer.citations]
        answer_figures(answer.text, quotes, item.facts, item.labelled, scored)
    for sentence in answer.sentences:
        cited = answer.citations[sentence.citation - 1]
        if sentence.text not in kb.documents[cited.source].text or sentence.text not in cited.quote:
            scored.unquoted += 1
    for c in answer.citations:
        if kb.documents[c.source].text[c.start : c.end] != c.quote:
            scored.unquoted += 1
    return scored


def run_system(kb: KnowledgeBase, items: list[Item], overrides: dict[str, Any]) -> list[Scored]:
    base = kb.settings
    kb.use_settings(base.model_copy(update=overrides))
    try:
        return [score_answer(kb, item, ask_item(kb, item)) for item in items]
    finally:
        kb.use_settings(base)


def ask_item(kb: KnowledgeBase, item: Item) -> Answer:
    """The answer to `item`; a follow-up is asked after its earlier questions, each with the
    answers given before it, as a person in the app would have seen them."""
    turns: list[tuple[str, str]] = []
    for earlier in item.history:
        try:
            turns.append((earlier, kb.ask(earlier, history=turns).text))
        except KBError:
            turns.append((earlier, ""))
    return kb.ask(item.question, history=turns)


def split_sha256(items: list[Item], split: str = "test") -> str:
    """A digest of a split's items as written: the report records the test split's, so that
    a change to frozen test items shows."""
    import hashlib

    raw = "\n".join(json.dumps(asdict(i), sort_keys=True, ensure_ascii=False)
                    for i in items if i.split == split)
    return hashlib.sha256(raw.encode()).hexdigest()


def run_baseline(kb: KnowledgeBase, items: list[Item]) -> list[Scored]:
    """The textbook LangChain pipeline: top chunk as the answer."""
    from evals.baseline import LangChainBaseline

    baseline = LangChainBaseline.build(kb.settings.sources_dir, kb.embedder)
    try:
        return [_baseline_item(baseline, item) for item in items]
    finally:
        baseline.close()


def _baseline_item(baseline: Any, item: Item) -> Scored:
    """The baseline never abstains; its answer is the top chunk, cited whole."""
    scored = Scored(answerable=item.expects_answer, abstained=False)
    results = baseline.search(item.question, 10)
    retrieval_figures([(s, t) for t, s in results], item.labelled, scored)
    text, source = results[0] if results else ("", "")
    scored.mode, scored.answer = "top_chunk", text
    answer_figures(text, [(source, text)], item.facts, item.labelled, scored)
    return scored


def calibrate(kb: KnowledgeBase, items: list[Item]) -> dict[str, Any]:
    """The FAQ and abstention thresholds that get the most dev items right: the middle of
    the best plateau, since thresholds at its edge generalise worst."""
    dev = [i for i in items if i.split == "dev"]
    cases = []
    for item in dev:
        parts = kb.retrieve(item.question)
        faq, faq_score = None, 0.0
        if len(parts) == 1:
            p = parts[0]
            faq, faq_score = kb.composer.faq_answer(
                item.question, p.query, p.vector, p.hits, 0.0, named=p.named)
        extractive = {t: right(item, kb.composer.extractive_answer(item.question, parts, t))
                      for t in GRID_ABSTAIN}
        cases.append((faq_score, right(item, faq), extractive))
    scores = {
        (f, a): sum(ok if s >= f else ex[a] for s, ok, ex in cases)
        for f in GRID_FAQ for a in GRID_ABSTAIN
    }
    top = max(scores.values())
    faq_t = _median([f for (f, _), s in scores.items() if s == top])
    abstain_t = _median([a for (f, a), s in scores.items() if s == top and f == faq_t])
    return {"dev_items": len(dev), "dev_right": top, "faq_threshold": faq_t,
            "abstain_threshold": abstain_t}


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


def group(items: list[Item], scored: list[Scored]) -> dict[str, dict[str, dict[str, float]]]:
    """Figures by split ("all", "dev", "test"), then by category and overall."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for split in ("all", "dev", "test"):
        rows: dict[str, list[Scored]] = defaultdict(list)
        for item, s in zip(items, scored, strict=True):
            if split in ("all", item.split):
                rows[item.category].append(s)
                rows["overall"].append(s)
        out[split] = {name: aggregate(r) for name, r in sorted(rows.items())}
    return out


def run_eval(settings: Settings, questions: Path, report: Path, calibrate_too: bool = False,
             systems: list[str] | None = None, progress: Callable[[str], None] | None = None,
             ) -> str:
    """Evaluate the systems, write report.md, results.json and plots; return a summary."""
    from evals.report import write_outputs

    items = load_items(questions)
    names = systems or [*SYSTEMS, BASELINE]
    results: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    per_item: dict[str, list[Scored]] = {}
    calibration = None
    with KnowledgeBase.open(settings) as kb:
        for name in names:
            if progress:
                progress(name)
            if name == BASELINE:
                per_item[name] = run_baseline(kb, items)
            else:
                per_item[name] = run_system(kb, items, SYSTEMS[name])
            results[name] = group(items, per_item[name])
        if calibrate_too:
            calibration = calibrate(kb, items)
    write_outputs(report, settings, items, results, per_item, calibration,
                  split_sha256(items))
    main = results[names[0]]["all"]["overall"]
    return (
        f"{len(items)} questions ({names[0]}): confident and right "
        f"{main['confident_right']:.1%} of answerable, right with hedges "
        f"{main['right_with_hedges']:.1%}, confident on out-of-scope "
        f"{main['confident_out_of_scope']:.1%}, score {main['score']:+.2f}, "
        f"hit@5 {main['hit@5']:.1%}, unquoted sentences "
        f"{int(main['unquoted_sentences'])}; report written to {report}"
    )
