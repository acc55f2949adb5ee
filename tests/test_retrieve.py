import pytest

from kb.knowledge import KnowledgeBase
from kb.retrieve import rrf


def test_rrf_fuses_rankings_exactly() -> None:
    fused = dict(rrf([["a", "b", "c"], ["b", "d"]], k=60))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["d"] == pytest.approx(1 / 62)
    assert [i for i, _ in rrf([["a", "b", "c"], ["b", "d"]], k=60)] == ["b", "a", "d", "c"]


def test_hybrid_finds_by_keyword_and_by_meaning(kb: KnowledgeBase) -> None:
    by_keyword = kb.search("OQA-7", method="bm25")
    assert by_keyword[0].chunk.doc_id == "guide.md"
    by_meaning = kb.search("who runs the quay programme", method="dense")
    assert by_meaning[0].chunk.doc_id == "guide.md"
    hybrid = kb.search("OQA-7 Halifax office")
    top = hybrid[0]
    assert top.chunk.doc_id == "guide.md"
    assert top.dense_rank is not None and top.lexical_rank is not None
    ranks = [top.dense_rank, top.lexical_rank, top.sentence_rank]
    assert top.score == pytest.approx(sum(1 / (60 + r) for r in ranks if r is not None))


def test_hits_are_distinct_passages(kb: KnowledgeBase) -> None:
    hits = kb.search("Tern Exchange", k=8)
    keys = [" ".join(h.chunk.text.split()) for h in hits]
    assert len(keys) == len(set(keys))
