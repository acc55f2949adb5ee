"""The scale benchmark: generated corpora of growing size through the real ingest and answer
path, with the stand-in embedder (evals.standin) in place of the model.

Each size runs in two fresh processes, one to generate and ingest, one to open the index and
answer, so that each reports its own peak memory (VmHWM, see evals.procinfo) and
the serving figure is not inflated by what ingest left on the heap. Run
``python -m evals.scale ingest|serve --work DIR ...`` for one worker; ``run_scale`` drives them.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.measure import TimedEmbedder, measure_answers, run_json, timed
from evals.procinfo import peak_rss_mb
from evals.standin import HashEmbedder
from evals.synthetic import load_facts, save_facts, write_corpus
from ingest.pipeline import ingest
from kb.knowledge import KnowledgeBase
from kb.settings import Settings

log = logging.getLogger(__name__)

SIZES = [1000, 5000, 20000, 50000]
FACTS = "facts.jsonl"


def run_scale(sizes: Sequence[int], work: Path, questions: int = 50,
              rounds: int = 1) -> list[dict[str, Any]]:
    """Ingest and answer at every size (chunks); one row of figures per size."""
    rows = []
    for size in sizes:
        folder = work / f"scale-{size}"
        log.info("scale %d chunks: generating and ingesting", size)
        built = _worker(["ingest", "--work", str(folder), "--chunks", str(size),
                         "--questions", str(questions)])
        log.info("scale %d chunks: ingested in %.1f s; answering", size, built["ingest_s"])
        served = _worker(["serve", "--work", str(folder), "--rounds", str(rounds)])
        rows.append({"target_chunks": size, **built, **served,
                     "peak_rss_mb": max(built["ingest_peak_rss_mb"],
                                        served["serve_peak_rss_mb"])})
        shutil.rmtree(folder, ignore_errors=True)  # 50k chunks take a few GB
    return rows


def scale_summary(rows: list[dict[str, Any]], encoder: dict[str, Any]) -> dict[str, Any]:
    """Top-level figures for the largest size, and each size's extrapolated real encoding
    time (added to `rows`) from the model's measured chunk and sentence throughput."""
    for row in rows:
        row["encoding_extrapolated_s"] = round(
            row["chunks"] / encoder["encoder_chunks_per_s"]
            + row["sentences"] / encoder["encoder_sentences_per_s"], 1)
    top = max(rows, key=lambda r: r["chunks"])
    return {
        "scale_chunks": top["chunks"], "scale_answer_p95_ms": top["answer_p95_ms"],
        "scale_peak_rss_mb": top["peak_rss_mb"], "scale_ingest_s": top["ingest_s"],
        "scale_index_mb": top["index_mb"],
        "scale_encoding_extrapolated_s": top["encoding_extrapolated_s"], "scale": rows,
    }


def _worker(args: list[str]) -> dict[str, Any]:
    return run_json([sys.executable, "-m", "evals.scale", *args])


def _settings(work: Path) -> Settings:
    return Settings(data_dir=work / "data", sources_dir=work / "corpus")


def _disk_mb(folder: Path) -> float:
    """Space the files under `folder` occupy (allocated blocks, as du counts them)."""
    used = sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file())
    return round(used / 2**20, 1)


def ingest_worker(work: Path, chunks: int, questions: int) -> dict[str, Any]:
    """Generate a corpus of `chunks` chunks and ingest it with the stand-in embedder."""
    settings = _settings(work)
    generate_s, facts = timed(lambda: write_corpus(settings.sources_dir, chunks, questions))
    save_facts(facts, work / FACTS)
    embedder = TimedEmbedder(HashEmbedder(settings))
    ingest_s, report = timed(lambda: ingest(settings, embedder=embedder))
    return {
        "chunks": report.chunks, "sentences": report.sentences, "embedded": report.embedded,
        "generate_s": round(generate_s, 2), "ingest_s": round(ingest_s, 2),
        "ingest_standin_encode_s": round(embedder.seconds, 2),
        "corpus_mb": _disk_mb(settings.sources_dir), "index_mb": _disk_mb(settings.data_dir),
        "ingest_peak_rss_mb": peak_rss_mb(),
    }


def serve_worker(work: Path, rounds: int) -> dict[str, Any]:
    """Open the index and answer every planted-fact question; latency and fact recall."""
    settings = _settings(work)
    facts = load_facts(work / FACTS)
    open_s, kb = timed(lambda: KnowledgeBase.open(settings, TimedEmbedder(HashEmbedder(settings))))
    with kb:
        figures, answers = measure_answers(kb, [f.question for f in facts], rounds)
    # A sanity check that the real path ran, not a quality figure: the stand-in has no
    # notion of meaning, but planted facts share rare words with their questions.
    found = sum(f.fact.lower() in a.text.lower() for f, a in zip(facts, answers, strict=True))
    return {"open_s": round(open_s, 2), **figures, "questions": len(facts),
            "fact_recall": round(found / len(facts), 3) if facts else 0.0,
            "serve_peak_rss_mb": peak_rss_mb()}


def main(argv: Sequence[str] | None = None) -> int:
    """Worker entry point: run one phase for one size and print its figures as JSON."""
    p = argparse.ArgumentParser(prog="python -m evals.scale", description=__doc__)
    p.add_argument("phase", choices=["ingest", "serve"])
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--chunks", type=int, default=1000)
    p.add_argument("--questions", type=int, default=50)
    p.add_argument("--rounds", type=int, default=1)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.phase == "ingest":
        out = ingest_worker(args.work, args.chunks, args.questions)
    else:
        out = serve_worker(args.work, args.rounds)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
