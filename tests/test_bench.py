"""The benchmark end to end on the tiny test corpus and a 300-chunk generated corpus.

Only the shape of the results is checked: timings depend on the machine, so no test asserts
one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from evals.baseline import LangChainBaseline
from evals.bench import BenchConfig, run, run_only_load
from evals.load import LoadConfig
from evals.standin import HashEmbedder
from evals.synthetic import UNITS_PER_DOC, write_corpus
from kb.index.embedder import Embedder
from kb.settings import Settings
from tests.conftest import DATA, copy_corpus

NUMBERS = (int, float)
REQUIRED: dict[str, type | tuple[type, ...]] = {
    "encoder_passages_per_s": NUMBERS, "encoder_chunks_per_s": NUMBERS,
    "encoder_sentences_per_s": NUMBERS, "ingest_passages_per_s": NUMBERS,
    "ingest_encoder_ratio": NUMBERS, "reingest_unchanged_s": NUMBERS,
    "reingest_unchanged_embeddings": int, "answer_p50_ms": NUMBERS, "answer_p95_ms": NUMBERS,
    "answer_p99_ms": NUMBERS, "retrieval_p95_ms": NUMBERS, "composition_p95_ms": NUMBERS,
    "cold_ask_s": NUMBERS, "baseline_answer_p50_ms": NUMBERS,
    "baseline_answer_p95_ms": NUMBERS, "scale_chunks": int, "scale_answer_p95_ms": NUMBERS,
    "scale_peak_rss_mb": NUMBERS, "scale_ingest_s": NUMBERS, "scale_index_mb": NUMBERS,
    "scale_encoding_extrapolated_s": NUMBERS, "scale": list, "machine": dict, "date": str,
    "goals": dict, "cold_ask_reference_s": NUMBERS, "encoder_torch_passages_per_s": NUMBERS,
    "encoder_onnx_passages_per_s": NUMBERS, "encoder_onnx_int8_passages_per_s": NUMBERS,
    "encoder_onnx_torch_ratio": NUMBERS, "answer_baseline_p95_ratio": NUMBERS,
    "cold_ask_reference_ratio": NUMBERS,
    "load_requests": int, "load_errors": int, "load_mismatched": int, "load_p50_ms": NUMBERS,
    "load_p95_ms": NUMBERS, "load_requests_per_s": NUMBERS,
}
SCALE_ROW = ["chunks", "ingest_s", "index_mb", "peak_rss_mb", "answer_p95_ms",
             "encoding_extrapolated_s", "fact_recall"]


def test_benchmark_writes_every_figure(tmp_path: Path, embedder: Embedder) -> None:
    out = tmp_path / "out"
    config = BenchConfig(
        sources=copy_corpus(tmp_path / "sources"), questions=DATA / "questions.jsonl", out=out,
        sizes=[300], repeats=1, rounds=1, cold_runs=1, cold_breakdown=False, scale_questions=10,
        load=LoadConfig(clients=2, per_client=1),
    )
    run(config, embedder)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for key, kind in REQUIRED.items():
        assert isinstance(results[key], kind), key
        if isinstance(results[key], float):
            assert math.isfinite(results[key]) and results[key] >= 0, key
    assert results["reingest_unchanged_embeddings"] == 0
    assert results["scale_chunks"] == 300
    assert all(isinstance(results["scale"][0][k], NUMBERS) for k in SCALE_ROW)
    assert set(results["goals"].values()) <= {"pass", "fail"}
    assert {"cores", "cpu_model", "ram_gb", "encoder_threads"} <= set(results["machine"])
    report = (out / "results.md").read_text(encoding="utf-8")
    assert "| Figure |" in report and "stand-in embedder" in report
    for name in ("latency.png", "throughput.png", "scale.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    # The load run alone, merged into the results already there.
    config.load = LoadConfig(clients=2, per_client=2, chroma=False)
    run_only_load(config, embedder)
    merged = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert merged["load_requests"] == 4 and merged["load_errors"] == 0
    assert merged["scale_chunks"] == 300 and merged["date"] == results["date"]
    assert merged["config"]["load"] == {"clients": 2, "per_client": 2, "chroma": False}
    assert "run " + merged["load_date"] in (out / "results.md").read_text(encoding="utf-8")


def test_stand_in_embedder_is_deterministic_unit_length_and_word_based() -> None:
    texts = ["Port security drills at Kessaro", "", "port SECURITY drills at kessaro!"]
    first = HashEmbedder(Settings()).encode(texts)
    again = HashEmbedder(Settings()).encode(list(reversed(texts)))[::-1]
    assert first.shape == (3, 384) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(first, again, rtol=1e-5)  # independent of what came before
    np.testing.assert_allclose(first[0], first[2], rtol=1e-5)  # the same words


def test_synthetic_corpus_plants_each_fact_in_its_document(tmp_path: Path) -> None:
    facts = write_corpus(tmp_path, 3 * UNITS_PER_DOC + 4, questions=6)
    assert len(list(tmp_path.rglob("*.txt"))) == 4
    assert len(facts) == 6
    for fact in facts:
        assert fact.fact in (tmp_path / fact.doc_id).read_text(encoding="utf-8")
        assert fact.question.endswith("?")


def test_baseline_answers_with_a_chunk_of_a_corpus_file(tmp_path: Path, embedder: Embedder) -> None:
    sources = copy_corpus(tmp_path / "sources")
    baseline = LangChainBaseline.build(sources, embedder)
    try:
        text, source = baseline.answer("How often do partner ports compare security drills?")
        assert text and (sources / source).is_file()
        assert len(baseline.search("Tern Exchange", 3)) == 3
    finally:
        baseline.close()
