import numpy as np
import pytest

from kb.index import store as store_module
from kb.index.store import VectorStore
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


def test_a_small_store_read_from_memory_gives_what_chroma_gives(
        kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = kb.store.all_chunks()
    ids = [*(c.chunk_id for c in reversed(chunks)), "no-such-chunk"]
    held = kb.store.chunks_with_vectors(ids)
    held_sentences = kb.store.sentences_of(chunks[::2])
    assert kb.store._held["chunks"] and kb.store._held["sentences"]  # small: held whole
    monkeypatch.setattr(store_module, "MEMORY_RECORDS", 0)
    direct = VectorStore(kb.folder / "chroma")
    try:
        read = direct.chunks_with_vectors(ids)
        read_sentences = direct.sentences_of(chunks[::2])
        assert direct._held == {"chunks": None, "sentences": None}  # read by id from Chroma
    finally:
        direct.close()
    assert held[0] == read[0] and held[1].keys() == read[1].keys()
    assert all(np.array_equal(held[1][i], read[1][i]) for i in read[1])
    assert held_sentences[0] == read_sentences[0]
    assert np.array_equal(held_sentences[1], read_sentences[1])
    assert held_sentences[1].dtype == read_sentences[1].dtype == np.float32
