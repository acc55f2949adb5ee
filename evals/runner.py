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

from evals.metrics import Passage, Scored, aggregate, answer_figures, retrieval_figures
from kb.errors import KBError
from kb.knowledge import KnowledgeBase
from kb.models import Answer
from kb.settings import Settings

log = logging.getLogger(__name__)

# Product variants: the same index, other retrieval or answering settings.
SYSTEMS: dict[str, dict[str, Any]] = {
    "hybrid": {"retrieval": "hybrid"},
    "bm25": {"retrieval": "bm25"},
    "dense": {"retrieval": "dense"},
    "hybrid_no_synonyms": {"retrieval": "hybrid", "question_synonyms": False},
}
BASELINE = "langchain_baseline"
GRID_ABSTAIN = [round(0.30 + 0.02 * i, 2) for i in range(26)]
MIN_REACH = 0.7  # calibration keeps answers holding the facts for this share of dev items
GRID_COVER = [round(0.3 + 0.05 * i, 2) for i in range(13)]


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


def score_answer(kb: KnowledgeBase, item: Item, answer: Answer,
                 every_language: bool = False) -> Scored:
    """One item's figures for a product answer (retrieval measured separately). A written
    answer's sentences are the model's own words: only its quotes must be verbatim.
    `every_language`: the answerer reads questions in any language (a language model)."""
    scored = answer_scored(item, answer, every_language)
    hits = kb.search(item.question, k=10)
    retrieval_figures([(h.chunk.doc_id, h.chunk.text) for h in hits], item.labelled, scored)
    for sentence in answer.sentences if answer.mode != "llm" else []:
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


def answer_scored(item: Item, answer: Answer, every_language: bool = False) -> Scored:
    """The item's answer figures (facts, citations, the score) for `answer`."""
    answerable = item.answerable if every_language else item.expects_answer
    scored = Scored(answerable=answerable, abstained=answer.abstained,
                    mode=answer.mode, answer=answer.text)
    if not answer.abstained:
        quotes = [(c.source, c.quote) for c in answer.citations]
        answer_figures(answer.text, quotes, item.facts, item.labelled, scored)
    return scored


def ask_item(kb: KnowledgeBase, item: Item) -> Answer:
    """The answer to `item`, asked after its earlier questions (see `history_turns`)."""
    return kb.ask(item.question, history=history_turns(kb, item))


def history_turns(kb: KnowledgeBase, item: Item) -> list[tuple[str, str]]:
    """A follow-up's earlier turns: each earlier question with the answer it got after the
    ones before it, as a person in the app would have seen them."""
    turns: list[tuple[str, str]] = []
    for earlier in item.history:
        try:
            turns.append((earlier, kb.ask(earlier, history=turns).text))
        except KBError:
            turns.append((earlier, ""))
    return turns


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
    """The abstention and coverage thresholds with the best mean score on the dev split:
    the middle of the best plateau, since thresholds at its edge generalise worst. Each
    item is analysed and retrieved once; only composition is repeated."""
    from kb.answer.compose import compose

    dev = [i for i in items if i.split == "dev"]
    cases = []
    for item in dev:
        plan = kb.plan(item.question, history_turns(kb, item))
        cases.append((item, plan, kb.gather(plan)))
    base = kb.settings

    def figures(**update: float) -> tuple[float, float]:
        """(mean score, share of answerable items whose facts the answer holds)."""
        settings = base.model_copy(update=update)
        rows = [answer_scored(item, compose(plan, ev, kb.library, settings))
                for item, plan, ev in cases]
        answerable = [r for r in rows if r.answerable]
        return (sum(r.score for r in rows) / len(rows),
                sum(r.holds_facts for r in answerable) / max(1, len(answerable)))

    def best(grid: dict[Any, tuple[float, float]]) -> tuple[list[Any], float]:
        # Abstaining on everything scores well where many items are out of scope; an
        # answerer that reaches fewer than MIN_REACH of the answerable questions is no use.
        ok = {k: v[0] for k, v in grid.items() if v[1] >= MIN_REACH} or {
            k: v[0] for k, v in grid.items()}
        top = max(ok.values())
        return [k for k, v in ok.items() if v == top], top

    abstains, _ = best({a: figures(abstain_threshold=a) for a in GRID_ABSTAIN})
    abstain_t = _median(abstains)
    covers, top = best({c: figures(abstain_threshold=abstain_t, cover_threshold=c)
                        for c in GRID_COVER})
    return {"dev_items": len(dev), "dev_score": round(top, 3), "min_reach": MIN_REACH,
            "abstain_threshold": abstain_t,
            "cover_threshold": _median(covers)}


def _median(values: list[float]) -> float:
    ordered = sorted(set(values))
    return ordered[len(ordered) // 2]


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
             llm: bool = False, limit: int | None = None) -> str:
    """Evaluate the systems, write report.md, results.json and plots; return a summary.
    `llm`: add the configured language model's row; `limit`: a sample of that many items,
    spread over the splits and categories, for every row."""
    from evals.report import write_outputs
    from evals.written import LLM, run_written, sample

    items = load_items(questions)
    if limit:
        items = sample(items, limit)
    names = [*(systems or [*SYSTEMS, BASELINE]), *([LLM] if llm else [])]
    if llm and not settings.llm:
        raise KBError("ipskb eval --llm needs a language model: set IPSKB_LLM (and "
                      "IPSKB_LLM_BASE_URL), or use --llm-local")
    results: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    per_item: dict[str, list[Scored]] = {}
    calibration = None
    # Every row but the model's own is the offline answerer, whatever IPSKB_LLM says.
    with KnowledgeBase.open(settings.model_copy(update={"llm": ""})) as kb:
        for name in names:
            if progress:
                progress(name)
            if name == BASELINE:
                per_item[name] = run_baseline(kb, items)
            elif name == LLM:
                per_item[name] = run_written(kb, items, settings, progress)
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
