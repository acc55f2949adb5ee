"""`ipskb eval --llm`: the language model's row beside the others, on the same metrics; a
sample for a slow model."""

from __future__ import annotations

import json
from pathlib import Path

from evals.local_llm import free_port
from evals.runner import SYSTEMS, Item, run_eval
from evals.written import sample
from kb.knowledge import KnowledgeBase
from tests.conftest import DATA


def _item(n: int, split: str, category: str) -> Item:
    return Item(id=f"q{n:03d}", category=category, question=f"Q{n}?", answerable=True,
                facts=[], sources=[], split=split)


def test_a_sample_spreads_over_splits_and_categories() -> None:
    items = ([_item(n, "dev", "fact") for n in range(40)]
             + [_item(40 + n, "test", "fact") for n in range(40)]
             + [_item(80 + n, "test", "out_of_scope") for n in range(20)])
    chosen = sample(items, 10)
    assert [i.id for i in chosen] == ["q000", "q010", "q020", "q030", "q040", "q050", "q060",
                                      "q070", "q080", "q090"]
    assert sample(items, 500) == items


def test_the_llm_row_with_a_dead_endpoint_is_the_offline_answer(
        kb: KnowledgeBase, tmp_path: Path) -> None:
    settings = kb.settings.model_copy(update={
        "llm": "openai:any", "llm_base_url": f"http://127.0.0.1:{free_port()}/v1"})
    report = tmp_path / "report.md"
    product = next(iter(SYSTEMS))  # the product's own row, with default settings
    summary = run_eval(settings, DATA / "questions.jsonl", report, systems=[product], llm=True)
    assert summary.startswith(f"3 questions ({product}): confident and right")
    text = report.read_text()
    rows = [line for line in text.splitlines() if line.startswith((f"| {product} |", "| llm |"))]
    assert len(rows) == 4  # test split and all items, a row each
    # Every written answer fell back to the extractive one: the same figures.
    assert rows[0].replace(f"| {product} |", "") == rows[1].replace("| llm |", "")
    systems = json.loads((tmp_path / "results.json").read_text())["systems"]
    assert systems["llm"] == systems[product]
