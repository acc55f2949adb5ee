"""The evaluation runner on the tiny test corpus (the real set's figures are not gated)."""

import json
from pathlib import Path

import pytest

from evals.metrics import Passage, Scored, aggregate, answer_figures, retrieval_figures
from evals.report import sign_test
from evals.runner import load_items, run_eval
from kb.knowledge import KnowledgeBase
from tests.conftest import DATA


def test_retrieval_figures_against_labelled_passages() -> None:
    passages = [Passage("a.txt", "The office runs a workshop in Valletta every spring."),
                Passage("b.txt", "Seats are limited to twelve officers.")]
    retrieved = [("c.txt", "unrelated"), ("a.txt", "Intro. The office runs a workshop in "
                 "Valletta every spring. More."), ("b.txt", "other text")]
    s = Scored(answerable=True, abstained=False)
    retrieval_figures(retrieved, passages, s)
    assert s.hit == 1.0 and s.recall == 0.5 and s.rr == 0.5
    assert s.ndcg == pytest.approx((1 / 1.5849625) / (1 + 1 / 1.5849625), rel=1e-6)


def test_a_passage_two_overlapping_chunks_hold_counts_once() -> None:
    passages = [Passage("a.txt", "The office runs a workshop in Valletta every spring.")]
    chunk = ("a.txt", "Intro. The office runs a workshop in Valletta every spring.")
    s = Scored(answerable=True, abstained=False)
    retrieval_figures([chunk, chunk], passages, s)
    assert s.ndcg == 1.0 and s.rr == 1.0


def test_answer_figures_and_score() -> None:
    s = Scored(answerable=True, abstained=False)
    answer_figures("It runs twice a year [1]. It lasts four days [2].",
                   [("f.txt", "It runs twice a year."), ("g.txt", "Unrelated passage.")],
                   ["twice a year", "four days"], [Passage("f.txt", "It runs twice a year.")], s)
    assert (s.facts_found, s.facts_supported, s.citations, s.useful_citations) == (2, 1, 2, 1)
    assert not s.right and s.score == -1
    oos = Scored(answerable=False, abstained=True)
    figures = aggregate([s, oos])
    assert figures["abstention_recall"] == 1.0 and figures["score"] == 0.0
    assert figures["citation_precision"] == 0.5 and figures["fact_recall"] == 1.0


def test_runner_writes_report_results_and_plots(kb: KnowledgeBase, tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    summary = run_eval(kb.settings, DATA / "questions.jsonl", report, calibrate_too=True,
                       systems=["hybrid", "bm25", "langchain_baseline"])
    assert summary.startswith("3 questions (hybrid): confident and right "
                              "100.0% of answerable")
    assert "unquoted sentences 0" in summary
    text = report.read_text()
    assert "| hybrid | 3 |" in text and "| langchain_baseline | 3 |" in text
    assert "## Threshold calibration (dev split)" in text
    # One test item: no difference between systems can be shown, and the report says so.
    assert ("| dense retrieval beside BM25 (hybrid vs bm25) | +1.00 | +1.00 | 100% | 100% "
            "| 0 | 0 | 1.00 | no difference the test split can show |") in text
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["systems"]) == {"hybrid", "bm25", "langchain_baseline"}
    overall = results["systems"]["hybrid"]["test"]["overall"]
    assert overall["items"] == 1 and overall["confident_right"] == 1.0
    assert (tmp_path / "systems.png").stat().st_size > 1000
    assert (tmp_path / "categories.png").stat().st_size > 1000


def test_the_sign_test_tells_a_real_difference_from_noise() -> None:
    assert sign_test(0, 0) == 1.0 and sign_test(5, 5) == 1.0
    assert sign_test(10, 0) == 2 / 1024
    assert sign_test(3, 1) == 0.625


def test_items_load_with_their_fields() -> None:
    items = load_items(DATA / "questions.jsonl")
    assert [i.category for i in items] == ["fact", "fact", "out_of_scope"]
    assert items[0].facts == ["twice a year"] and items[2].answerable is False
    assert items[0].labelled[0].source == "faq.txt"


def test_hedged_answers_score_half_when_they_hold_the_facts() -> None:
    held = Scored(answerable=True, abstained=False, mode="related", facts=1, facts_supported=1)
    empty = Scored(answerable=True, abstained=False, mode="related", facts=1)
    oos_hedge = Scored(answerable=False, abstained=False, mode="related")
    oos_sure = Scored(answerable=False, abstained=False, mode="extractive")
    assert [held.score, empty.score, oos_hedge.score, oos_sure.score] == [0.5, 0.0, 0.5, -1.0]
    figures = aggregate([held, empty, oos_hedge, oos_sure])
    assert figures["right_with_hedges"] == 0.5 and figures["confident_right"] == 0.0
    assert figures["confident_out_of_scope"] == 0.5 and figures["hedged"] == 0.75


# Test items are written before the code they measure and never edited after: a change to
# one must be a deliberate new freeze, with this digest and the report's updated together.
FROZEN_TEST_SPLIT = "3e0e80e161af5ff25e24a59cb04b1851050d6646edf312c7bdbb309fc1677456"


def test_the_test_split_is_frozen() -> None:
    from evals.runner import split_sha256

    items = load_items(Path(__file__).parents[1] / "evals" / "questions.jsonl")
    assert split_sha256(items) == FROZEN_TEST_SPLIT
    assert len(items) >= 300
