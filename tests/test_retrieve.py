import pytest

from kb.knowledge import KnowledgeBase
from kb.retrieve.fusion import rrf


def test_rrf_fuses_rankings_exactly() -> None:
    fused = dict(rrf([["a", "b", "c"], ["b", "d"]], k=60))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["d"] == pytest.approx(1 / 62)
    assert [i for i, _ in rrf([["a", "b", "c"], ["b", "d"]], k=60)] == ["b", "a", "d", "c"]
    weighted = dict(rrf([["a"], ["b"]], k=60, weights=[0.5, 1.0]))
    assert weighted == {"a": pytest.approx(0.5 / 61), "b": pytest.approx(1 / 61)}


def test_hybrid_finds_by_keyword_and_by_meaning(kb: KnowledgeBase) -> None:
    by_keyword = kb.search("OQA-7", method="bm25")
    assert by_keyword[0].chunk.doc_id == "guide.md"
    by_meaning = kb.search("who runs the quay programme", method="dense")
    assert by_meaning[0].chunk.doc_id == "guide.md"
    hybrid = kb.search("OQA-7 Halifax office")
    top = hybrid[0]
    assert top.chunk.doc_id == "guide.md"
    assert top.dense_rank is not None and top.lexical_rank is not None
    weighted = [(0.5, top.dense_rank), (1.0, top.lexical_rank), (0.5, top.sentence_rank)]
    assert top.score == pytest.approx(sum(w / (60 + r) for w, r in weighted if r is not None))


def test_hits_are_distinct_passages(kb: KnowledgeBase) -> None:
    hits = kb.search("Tern Exchange", k=8)
    keys = [" ".join(h.chunk.text.split()) for h in hits]
    assert len(keys) == len(set(keys))
