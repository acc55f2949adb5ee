"""The load run of the benchmark, tiny: real app processes, a real Chroma server, real
HTTP clients. Only that it works is checked (every answer back and matched); its timings
go into the benchmark report, not into assertions."""

from __future__ import annotations

from pathlib import Path

from evals.load import LoadConfig, measure_load
from kb.index.embedder import Embedder
from kb.settings import Settings
from tests.conftest import DATA, copy_corpus


def test_the_load_run_asks_every_question_and_matches_every_answer(
    tmp_path: Path, embedder: Embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "data", sources_dir=copy_corpus(tmp_path / "src"))
    figures = measure_load(settings, DATA / "questions.jsonl",
                           LoadConfig(clients=2, per_client=1), tmp_path, embedder)
    for prefix in ("load", "load_chroma"):
        assert figures[f"{prefix}_requests"] == 2, figures
        assert figures[f"{prefix}_errors"] == 0 and figures[f"{prefix}_mismatched"] == 0, figures
        assert figures[f"{prefix}_p95_ms"] >= figures[f"{prefix}_p50_ms"] > 0
    assert figures["load_app_processes"] == 1 and figures["load_chroma_app_processes"] == 2
    # The two app processes over the Chroma server answer as the index on disk does.
    assert figures["load_chroma_same_as_disk"] == figures["load_distinct_questions"] > 0
    assert not (settings.data_dir).exists()  # the load run works in its own folder
