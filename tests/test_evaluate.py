from pathlib import Path

from kb.evaluate import load_items, run_eval
from kb.knowledge import KnowledgeBase
from tests.conftest import DATA


def test_eval_runner_writes_report(kb: KnowledgeBase, tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    summary = run_eval(kb.settings, DATA / "questions.jsonl", report, calibrate_too=True)
    assert summary.startswith("3 questions: answered with supporting citation 100.0% of answerable")
    assert "abstention recall 100.0%" in summary and "unquoted sentences 0" in summary
    text = report.read_text()
    assert "| **overall** | 3 |" in text
    assert "## Threshold calibration (dev split)" in text


def test_items_load_with_their_fields() -> None:
    items = load_items(DATA / "questions.jsonl")
    assert [i.category for i in items] == ["fact", "fact", "out_of_scope"]
    assert items[0].facts == ["twice a year"] and items[2].answerable is False
